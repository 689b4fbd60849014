"""Corpus throughput: ingest and split the 3,475 laws of lawrefbook into a temporary SQLite store.

Run ``python -m bench.corpus`` (``make bench``). Prints documents/s and items/s of a full
ingest (read, normalise, metadata, split, segment, store; no cards), the split-only rate,
and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from policymatch.corpus.metadata import build_document
from policymatch.corpus.pipeline import ingest
from policymatch.corpus.readers import scan_path
from policymatch.corpus.split import split_document
from policymatch.corpus.tokenize import get_tokenizer
from policymatch.store import PolicyStore

SHARED_DATA = Path(
    os.environ.get(
        "POLICYMATCH_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
)
LAWS = SHARED_DATA / "policies" / "lawrefbook_laws.jsonl.gz"


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (
        peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024
    )  # KB on Linux, bytes on macOS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--path", type=Path, default=LAWS, help="Corpus to ingest (default: lawrefbook laws)."
    )
    args = parser.parse_args()
    if not args.path.exists():
        raise SystemExit(f"corpus not found: {args.path} (set POLICYMATCH_SHARED_DATA)")
    get_tokenizer()  # dictionary loading is a one-off cost, not throughput

    records = [r for r in scan_path(args.path) if not isinstance(r, Exception)]
    docs = [build_document(r) for r in records]
    start = time.perf_counter()
    split_items = sum(len(split_document(doc)) for doc in docs)
    split_seconds = time.perf_counter() - start
    chars = sum(len(doc.text) for doc in docs)
    del docs, records

    with tempfile.TemporaryDirectory() as folder:
        store = PolicyStore(f"sqlite:///{folder}/bench.db")
        start, cpu_start = time.perf_counter(), time.process_time()
        report = ingest([args.path], store, skip_errors=True, with_cards=False)
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        db_mb = Path(folder, "bench.db").stat().st_size / 2**20
        store.close()

    stored = report.new + report.changed + report.unchanged
    print(
        f"corpus            {args.path.name}: {report.read} records, {len(report.errors)} rejected, {chars / 1e6:.1f} M chars"
    )
    print(
        f"ingest            {stored} documents, {report.items} items in {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU"
    )
    print(
        f"  per CPU second  {stored / cpu_seconds:.1f} documents, {report.items / cpu_seconds:.0f} items"
    )
    print(f"  documents/s     {stored / seconds:.1f}")
    print(f"  items/s         {report.items / seconds:.1f}")
    print(f"  chars/s         {chars / seconds / 1e3:.0f} k")
    print(
        f"split only        {split_items} items in {split_seconds:.2f} s: {stored / split_seconds:.0f} documents/s, {split_items / split_seconds:.0f} items/s"
    )
    print(f"sqlite file       {db_mb:.0f} MB")
    print(f"peak memory       {_peak_rss_mb():.0f} MB (ru_maxrss)")


if __name__ == "__main__":
    main()
