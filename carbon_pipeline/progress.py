"""Progress reporting from inside assets to whoever runs them (the CLI's bars), or to nobody.

Assets run in-process under the CLI, so a module-level hook is enough; under ``dagster dev`` no
hook is installed and reporting is a no-op (Dagster's own UI shows progress there).
"""

from __future__ import annotations

from typing import Callable

_hook: Callable[[str, str, str | None], None] | None = None


def install(hook: Callable[[str, str, str | None], None] | None) -> None:
    global _hook
    _hook = hook


def advance(stage: str, name: str, month: str | None = None) -> None:
    if _hook is not None:
        _hook(stage, name, month)
