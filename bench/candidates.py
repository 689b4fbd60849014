"""How much of the ``full`` top 10 survives judging only the first N candidates, and what it costs.

``full`` judges eligibility and pair features for ``MatchConfig.candidates`` items per request
(the API's latency is mostly that). This compares, for the sample and dev enterprises, the top
10 with N candidates against the top 10 when every item is judged (what the evaluation
measures), for N in ``--candidates``, and the milliseconds per match.

    python -m bench.candidates --data-dir /tmp/pm6real     # an index built by bench.api

The data dir must hold an index (``python -m bench.api --corpus real --data-dir DIR`` builds
one); the query vectors are warmed first, so the times are the matching alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILE_FILES = (
    ROOT / "data" / "enterprises" / "sample_enterprises.jsonl",
    ROOT / "eval" / "datasets" / "dev" / "enterprises.jsonl",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="data dir with an index")
    parser.add_argument("--candidates", type=int, nargs="+", default=[300, 150, 100, 60])
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args()
    os.environ["POLICYMATCH_DATA_DIR"] = str(args.data_dir.resolve())

    from policymatch.match.matcher import Matcher
    from policymatch.profile.readers import read_profiles
    from policymatch.settings import get_settings

    matcher = Matcher.load(get_settings().data_dir / "index")
    profiles = [p for path in PROFILE_FILES for p in read_profiles(path)]
    matcher.warm_queries(profiles)
    as_of = dt.date.today()

    def top(candidates: int | None) -> tuple[list[list[str]], float]:
        matcher.config.candidates = candidates
        started = time.perf_counter()
        ranked = [
            [m.item_id for m in matcher.match(p, k=args.k, as_of=as_of).matches] for p in profiles
        ]
        return ranked, (time.perf_counter() - started) / len(profiles) * 1000

    every, every_ms = top(None)
    print(f"{len(matcher.index)} items, {len(profiles)} enterprises, top {args.k}")
    print(f"every item judged: {every_ms:.1f} ms/match")
    for candidates in args.candidates:
        ranked, ms = top(candidates)
        same = sum(a == b for a, b in zip(ranked, every, strict=True))
        kept = sum(len(set(a) & set(b)) for a, b in zip(ranked, every, strict=True))
        total = sum(len(b) for b in every) or 1
        print(
            f"{candidates:>5} candidates: {ms:5.1f} ms/match, top {args.k} identical for"
            f" {same}/{len(profiles)} enterprises, {kept / total:.1%} of its items kept"
        )


if __name__ == "__main__":
    main()
