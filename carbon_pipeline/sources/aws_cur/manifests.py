"""Which CUR files make up each billing month: the latest delivery per period, from manifests.

AWS re-delivers the whole month several times a day and restates it after the month closes; each
delivery lands in a new assembly folder and the period-level ``<report>-Manifest.json`` is
overwritten to point at it. Reading every file under the prefix would count the month several
times over, so a month is exactly the file list of its latest manifest. A folder with no manifest
(files exported or copied by hand) is read as it is, months taken from the rows' dates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from carbon_pipeline.sources.storage import ObjectStore, SourceFileError, StoredObject

_PERIOD_DIR = re.compile(r"^\d{8}-\d{8}$")


@dataclass(frozen=True)
class CurDelivery:
    """One month's files for one report; ``billing_month`` None means months come from the rows."""

    billing_month: str | None
    report_name: str
    delivery_id: str
    manifest_uri: str | None
    files: tuple[StoredObject, ...]


def discover_deliveries(store: ObjectStore) -> list[CurDelivery]:
    objects = store.list()
    manifests = [o for o in objects if o.is_manifest]
    data_files = [o for o in objects if o.is_data]
    if not manifests:
        if not data_files:
            return []
        return [CurDelivery(None, "", "no-manifest", None, tuple(data_files))]

    chosen: dict[tuple[str, str], tuple[tuple, StoredObject, dict]] = {}
    for manifest in manifests:
        doc = _read_manifest(store, manifest)
        month = _manifest_month(doc, manifest)
        report = str(doc.get("reportName") or "")
        # The period-level manifest is rewritten by every delivery, so it is always the latest;
        # failing that (a copied folder with only assembly manifests), the newest one wins.
        parent = manifest.key.rsplit("/", 2)[-2] if manifest.key.count("/") >= 1 else ""
        rank = (_PERIOD_DIR.match(parent) is not None, manifest.last_modified, manifest.key)
        current = chosen.get((report, month))
        if current is None or rank > current[0]:
            chosen[(report, month)] = (rank, manifest, doc)

    by_tail = {_tail(o.key): o for o in data_files}
    deliveries = []
    for (report, month), (_rank, manifest, doc) in sorted(chosen.items()):
        files = []
        for report_key in doc.get("reportKeys") or []:
            obj = by_tail.get(_tail(report_key))
            if obj is None:
                raise SourceFileError(
                    f"{manifest.uri}: lists report key {report_key!r}, which is not in {store.location}"
                )
            files.append(obj)
        deliveries.append(
            CurDelivery(month, report, str(doc.get("assemblyId") or manifest.key), manifest.uri, tuple(files))
        )
    return deliveries


def _read_manifest(store: ObjectStore, manifest: StoredObject) -> dict:
    try:
        doc = json.loads(store.read_bytes(manifest))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceFileError(f"{manifest.uri}: not a valid CUR manifest (JSON: {exc})") from None
    if not isinstance(doc, dict):
        raise SourceFileError(f"{manifest.uri}: not a valid CUR manifest (expected a JSON object)")
    return doc


def _manifest_month(doc: dict, manifest: StoredObject) -> str:
    start = str((doc.get("billingPeriod") or {}).get("start") or "")
    match = re.match(r"^(\d{4})(\d{2})\d{2}", start) or re.match(r"^(\d{4})-(\d{2})", start)
    if not match:
        raise SourceFileError(f"{manifest.uri}: field 'billingPeriod.start' missing or unreadable: {start!r}")
    return f"{match.group(1)}-{match.group(2)}"


def _tail(key: str) -> str:
    """Period folder / assembly folder / file name: unique within a report, whatever the prefix."""
    return "/".join(key.split("/")[-3:])
