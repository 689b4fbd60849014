"""Where the reference tables live and how a TSV of them is read."""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a tab-separated file with a header line; blank lines and ``#`` comments skipped."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))
