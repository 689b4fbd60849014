"""Push campaign throughput and memory: cold (embeddings to compute) and warm (cached), local and Ray.

    python -m bench.push --rows 100000 --policies 20

Builds (once) an index of the sample corpus (data/policies) and a synthetic member database
(bench/synthetic_enterprises.py) under ``--work``, then times:

- **embedder alone**: the e5 embedder, uncached, on the query texts of the first ``--cold-rows``
  members: the ceiling of a cold campaign;
- **cold**: a campaign over those members with an empty query cache (its rate over the
  embedder's is the ratio to watch: 1.0 means nothing but the model costs time);
- **warm**: a campaign over ``--rows`` members whose scoring columns (query vector, codes,
  numbers) and profiles are cached. The warm cache is filled first by a campaign over all rows,
  which takes ``rows / embedder rate`` seconds (hours for 100k distinct members on a shared
  2-core machine at 10-30 texts/s) and is kept in ``--work`` for later runs. With
  ``--distinct-texts N`` the members' query texts cycle through the first N members' (each
  member keeps its own id, name, region, founding day and contact; see
  ``bench/synthetic_enterprises.repeat_texts``), so the fill embeds only N texts: the warm run's
  work per member is the same, only fewer texts had to be embedded to get there;
- **ray**: the warm campaign on a local Ray (2 CPUs, 2 actors), when Ray Data is installed.

Peak memory is the process's max RSS (``resource.getrusage``) over each run, measured in a fresh
child process per run so runs do not inherit each other's peaks; it counts the pages of the
memory-mapped profile cache the run read, so campaign runs also report RSS at the end split into
anonymous memory and file pages. Ray actors are separate
processes: their memory is reported by Ray, not here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 1, 15)  # the sample corpus is valid on this day


def _settings(work: Path, cache: str):
    from policymatch.settings import Settings

    return Settings(data_dir=work / cache, index_dir=work / "index")


def ensure_index(work: Path) -> Path:
    """Index of data/policies under ``work/index`` (passage vectors cached in work/cache-index)."""
    index_dir = work / "index"
    if (index_dir / "manifest.json").exists():
        return index_dir
    from api.index_update import build_index
    from policymatch.corpus.pipeline import ingest
    from policymatch.embed import get_embedder
    from policymatch.store import PolicyStore

    settings = _settings(work, "cache-index")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = PolicyStore(settings.resolved_database_url)
    try:
        ingest([str(ROOT / "data" / "policies")], store, skip_errors=True)
        build_index(store, get_embedder(settings), index_dir)
    finally:
        store.close()
    return index_dir


def ensure_members(work: Path, rows: int, distinct_texts: int | None = None) -> Path:
    suffix = f"-t{distinct_texts}" if distinct_texts else ""
    path = work / f"members-{rows}{suffix}.parquet"
    if not path.exists():
        from bench.synthetic_enterprises import write_members

        write_members(path, rows, distinct_texts=distinct_texts)
    return path


def pick_policies(index_dir: Path, count: int) -> list[str]:
    """The first ``count`` documents (by id) with a support item valid on AS_OF."""
    from policymatch.match.index import PolicyIndex
    from policymatch.push.targets import resolve_targets

    index = PolicyIndex.load(index_dir)
    targets = resolve_targets(index, all_valid=True, as_of=AS_OF)
    return [t.policy_id for t in targets[:count]]


def run_one(spec: dict) -> dict:
    """One measured run (called in a child process): a campaign, or the embedder alone."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    work = Path(spec["work"])
    started = time.perf_counter()
    if spec["kind"] == "embedder":
        import pyarrow.parquet as pq

        from policymatch.embed.e5 import E5Embedder
        from policymatch.profile import normalize_profile

        table = pq.read_table(spec["members"]).slice(0, spec["rows"])
        texts = []
        for record in table.to_pylist():
            profile = normalize_profile({k: v for k, v in record.items() if v is not None}, AS_OF)
            texts.append(profile.query_text() or profile.name or profile.id)
        embedder = E5Embedder()
        embedder.encode_queries(texts[:8])  # load the engine outside the timing
        started = time.perf_counter()
        cpu_started = time.process_time()
        embedder.encode_queries(texts)
        seconds = time.perf_counter() - started
        return {
            "rows": len(texts),
            "seconds": seconds,
            "rate": len(texts) / seconds,
            "cpu_seconds": time.process_time() - cpu_started,
            "max_rss_mb": _max_rss_mb(),
        }
    from policymatch.push.campaign import run_campaign
    from policymatch.push.models import CampaignOptions
    from policymatch.push.scoring import IndexScorerFactory
    from policymatch.push.sources import ParquetSource
    from policymatch.push.targets import resolve_targets

    settings = _settings(work, spec["cache"])
    factory = IndexScorerFactory(Path(spec["index"]), settings, AS_OF)
    scorer = factory()
    targets = resolve_targets(scorer.index, spec["policies"], as_of=AS_OF)
    source = _Sliced(ParquetSource(Path(spec["members"])), spec["rows"])
    options = CampaignOptions(top=spec["top"], chunk_size=spec["chunk_size"], as_of=AS_OF)
    out = work / "out" / spec["name"]
    shutil.rmtree(out, ignore_errors=True)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = run_campaign(
        source,
        factory,
        targets,
        options,
        out,
        resume=False,
        engine=spec["engine"],
        scorer=scorer,
        profile_cache_dir=settings.cache_dir,
        ray_actors=spec.get("actors"),
    )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    stats = getattr(scorer.embedder, "stats", None)
    return {
        "rows": result.counters.read,
        "items": sum(len(t.item_ids) for t in targets),
        "seconds": seconds,
        "load_seconds": load_seconds,
        "rate": result.counters.read / seconds,
        "cpu_seconds": cpu_seconds,
        "judged_pairs": sum(result.counters.judged.values()),
        "encoded_on_driver": stats.encoded if stats else None,
        "max_rss_mb": _max_rss_mb(),
        "rss_at_end_mb": _rss_parts_mb(),
        "lists": {k: [(e.enterprise_id, e.score) for e in v] for k, v in result.lists.items()},
    }


class _Sliced:
    """The first ``rows`` records of a source (the cold run reads a prefix of the members)."""

    def __init__(self, source, rows: int) -> None:
        self.source, self.rows, self.name = source, rows, source.name

    def fingerprint(self) -> str:
        return f"{self.source.fingerprint()}|first{self.rows}"

    def count(self) -> int:
        return min(self.rows, self.source.count() or self.rows)

    def chunks(self, chunk_size: int, start: int = 0):
        for chunk in self.source.chunks(chunk_size, start):
            if chunk.offset >= self.rows:
                return
            keep = self.rows - chunk.offset
            yield chunk.head(keep) if keep < chunk.size else chunk


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_parts_mb() -> dict[str, float]:
    """RSS now by kind (Linux): anonymous memory (arrays, objects) vs file pages (the
    memory-mapped profile cache, libraries), which the kernel can drop and re-read."""
    parts = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                parts[name] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return parts


def measure(spec: dict) -> dict:
    """Run ``spec`` in a fresh interpreter and return its figures."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.push", "--child", json.dumps(spec)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{spec['name']} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--policies", type=int, default=20)
    parser.add_argument("--cold-rows", type=int, default=5_000)
    parser.add_argument(
        "--warm-rows",
        type=int,
        default=None,
        help="members in the warm and Ray runs (default --rows); the first ones of the file",
    )
    parser.add_argument(
        "--distinct-texts",
        type=int,
        default=None,
        help="members' query texts cycle through this many (the fill embeds only these)",
    )
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--top", type=int, default=100)
    parser.add_argument("--work", type=Path, default=Path("/tmp/policymatch-bench-push"))
    parser.add_argument("--skip", default="", help="comma-separated: embedder,cold,fill,warm,ray")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(json.loads(args.child))))
        return
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, args.skip.split(",")))
    index_dir = ensure_index(work)
    members = ensure_members(work, args.rows, args.distinct_texts)
    policies = pick_policies(index_dir, args.policies)
    base = {
        "work": str(work),
        "index": str(index_dir),
        "members": str(members),
        "policies": policies,
        "top": args.top,
        "chunk_size": args.chunk_size,
    }
    print(f"{len(policies)} policies: {', '.join(policies)}")
    report: dict[str, dict] = {}
    cold_rows = min(args.cold_rows, args.rows)
    warm_rows = min(args.warm_rows or args.rows, args.rows)
    if "embedder" not in skip:
        report["embedder"] = measure(
            {**base, "name": "embedder", "kind": "embedder", "rows": cold_rows}
        )
        _show("embedder alone", report["embedder"])
    if "cold" not in skip:
        shutil.rmtree(work / "cache-cold", ignore_errors=True)
        report["cold"] = measure(
            {
                **base,
                "name": "cold",
                "kind": "campaign",
                "engine": "local",
                "cache": "cache-cold",
                "rows": cold_rows,
                "chunk_size": min(args.chunk_size, 1000),
            }
        )
        _show("cold campaign", report["cold"])
        if "embedder" in report:
            ratio = report["cold"]["rate"] / report["embedder"]["rate"]
            print(f"  cold / embedder-alone throughput: {ratio:.3f}")
    if "fill" not in skip:
        # small chunks: the cache keeps each chunk's vectors, so an interrupted fill loses little
        report["fill"] = measure(
            {
                **base,
                "name": "fill",
                "kind": "campaign",
                "engine": "local",
                "cache": "cache-warm",
                "rows": args.rows,
                "chunk_size": min(args.chunk_size, 1000),
            }
        )
        _show("fill warm cache (cold over all rows)", report["fill"])
    if "warm" not in skip:
        report["warm"] = measure(
            {
                **base,
                "name": "warm",
                "kind": "campaign",
                "engine": "local",
                "cache": "cache-warm",
                "rows": warm_rows,
            }
        )
        _show("warm campaign", report["warm"])
    if "ray" not in skip:
        report["ray"] = measure(
            {
                **base,
                "name": "ray",
                "kind": "campaign",
                "engine": "ray",
                "cache": "cache-warm",
                "rows": warm_rows,
                "actors": 2,
            }
        )
        _show("warm campaign on local Ray (2 actors)", report["ray"])
        if "warm" in report:
            same = report["ray"]["lists"] == report["warm"]["lists"]
            print(f"  ray lists equal local lists: {same}")
    for figures in report.values():
        figures.pop("lists", None)
    (work / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"figures in {work / 'report.json'}")


def _show(label: str, figures: dict) -> None:
    extra = ""
    parts = figures.get("rss_at_end_mb") or {}
    if parts:
        extra += " (at the end: " + ", ".join(f"{k} {v:.0f} MB" for k, v in parts.items()) + ")"
    if "items" in figures:
        extra += f", {figures['items']} items, {figures['judged_pairs']} pairs judged"
    print(
        f"{label}: {figures['rows']} rows in {figures['seconds']:.1f} s ="
        f" {figures['rate']:,.0f} rows/s (process CPU {figures['cpu_seconds']:.1f} s),"
        f" peak RSS {figures['max_rss_mb']:.0f} MB{extra}"
    )


if __name__ == "__main__":
    main()
