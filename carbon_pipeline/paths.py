"""Where the repository's own assets live (SQL models, factor seeds), found from this package.

The package is installed editable (``pip install -e .``) so these resolve inside the checkout.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
SQL_DIR = REPO_ROOT / "dbt_like_sql"
FACTOR_SEEDS_DIR = REPO_ROOT / "factor_seeds"
