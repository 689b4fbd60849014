"""Matching speed: index build, query latency by stage, memory, and the flat/IVF crossover.

Run ``python -m bench.match`` (``make bench``). Corpora:

- ``sample``: the project's sample policies in ``data/policies``;
- ``real``: the 221 digital-economy, 60 State Council and 7 徐汇区 documents of
  ``../shared/data/policies`` (several thousand items once split).

For each corpus it reads, splits and translates the documents, builds the index (cold: a fresh
embedding cache, unless ``--cache`` names one) and reports items/s, then times
``Matcher.match`` for every sample enterprise one at a time (p50/p95, split into embedding,
retrieval and rules) and the batch path ``match_many``, and the resident memory after loading
the saved index in a fresh process. ``--dense`` times exact scoring of every item against IVF
search on random unit vectors of growing size: the figures behind ``dense.IVF_THRESHOLD``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("POLICYMATCH_SHARED_DATA", ROOT / ".." / "shared" / "data"))
SAMPLE_POLICIES = ROOT / "data" / "policies"
SAMPLE_ENTERPRISES = ROOT / "data" / "enterprises" / "sample_enterprises.jsonl"
DEV_ENTERPRISES = ROOT / "eval" / "datasets" / "dev" / "enterprises.jsonl"
REAL_FILES = (
    "xvshiting_digital_policies_central_shandong.jsonl",
    "zhouynf_govcn_state_council_2019snapshot.jsonl",
    "viktorsdb_xuhui_shanghai_policies.jsonl",
)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def read_corpus(name: str):
    """Documents, items (tokenised) and cards of a named corpus."""
    from policymatch.corpus.metadata import build_document
    from policymatch.corpus.pipeline import split_and_tokenize
    from policymatch.corpus.readers import read_path
    from policymatch.evaluation.devset import shared_record
    from policymatch.translate import translate_items

    if name == "sample":
        records = list(read_path(SAMPLE_POLICIES))
    else:
        records = []
        for file in REAL_FILES:
            path = SHARED_DATA / "policies" / file
            if not path.exists():
                raise SystemExit(f"{path} not found (set POLICYMATCH_SHARED_DATA)")
            with path.open(encoding="utf-8") as lines:
                records.extend(shared_record(json.loads(line)) for line in lines if line.strip())
    documents, items, cards = [], [], []
    for record in records:
        document = build_document(record)
        doc_items = split_and_tokenize(document)
        documents.append(document)
        items.extend(doc_items)
        cards.extend(translate_items(doc_items, document))
    return documents, items, cards


def read_enterprises():
    from policymatch.profile import read_profiles

    profiles = list(read_profiles(SAMPLE_ENTERPRISES))
    if DEV_ENTERPRISES.exists():
        profiles += list(read_profiles(DEV_ENTERPRISES))
    return profiles


def bench_corpus(
    name: str, cache_dir: Path, work: Path
) -> tuple[dict, tuple[np.ndarray, np.ndarray]]:
    from policymatch.embed import CachedEmbedder
    from policymatch.embed.e5 import E5Embedder
    from policymatch.match.keyword import BM25Index
    from policymatch.match.matcher import Matcher

    started = time.perf_counter()
    documents, items, cards = read_corpus(name)
    prepare_s = time.perf_counter() - started
    embedder = CachedEmbedder(E5Embedder(), cache_dir)
    started = time.perf_counter()
    matcher = Matcher.build(documents, items, cards, embedder)
    build_s = time.perf_counter() - started
    encoded = embedder.stats.encoded
    started = time.perf_counter()
    BM25Index(matcher.index.tokens)  # what adding or removing a document costs on the keyword side
    bm25_rebuild_s = time.perf_counter() - started
    index_dir = work / f"index-{name}"
    matcher.save(index_dir)

    profiles = read_enterprises()
    matcher.match(profiles[0])  # warm: jieba, numpy, caches
    latencies, stages = [], {"embedding": [], "retrieval": [], "rules": []}
    for profile in profiles:
        matcher.timings.reset()
        t0 = time.perf_counter()
        matcher.match(profile, k=10)
        latencies.append(time.perf_counter() - t0)
        for stage in stages:
            stages[stage].append(getattr(matcher.timings, stage))
    # the same profiles again: every query vector now comes from the embedding cache
    cached = []
    for profile in profiles:
        t0 = time.perf_counter()
        matcher.match(profile, k=10)
        cached.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    matcher.match_many(profiles, k=10)
    batch_s = time.perf_counter() - t0

    return {
        "corpus": name,
        "documents": len(documents),
        "items": len(items),
        "prepare_s": round(prepare_s, 1),
        "build_s": round(build_s, 1),
        "items_encoded": encoded,
        "items_per_s": round(len(items) / build_s, 2),
        "bm25_rebuild_s": round(bm25_rebuild_s, 2),
        "queries": len(profiles),
        "match_p50_ms": round(1000 * _percentile(latencies, 50), 1),
        "match_p95_ms": round(1000 * _percentile(latencies, 95), 1),
        **{
            f"{stage}_p50_ms": round(1000 * _percentile(values, 50), 1)
            for stage, values in stages.items()
        },
        "match_cached_query_p50_ms": round(1000 * _percentile(cached, 50), 1),
        "match_cached_query_p95_ms": round(1000 * _percentile(cached, 95), 1),
        "match_many_ms_per_profile": round(1000 * batch_s / len(profiles), 1),
        "loaded_rss_mb": loaded_rss(index_dir, cache_dir),
    }, (
        np.array(matcher.index.dense.matrix()),
        embedder.encode_queries([p.query_text() for p in profiles]),
    )


def loaded_rss(index_dir: Path, cache_dir: Path) -> float:
    """RSS (MB) of a fresh process that has loaded the matcher and answered one query."""
    code = "import sys; from bench.match import _loaded_rss_child; _loaded_rss_child(sys.argv[1], sys.argv[2])"
    out = subprocess.run(
        [sys.executable, "-c", code, str(index_dir), str(cache_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _loaded_rss_child(index_dir: str, cache_dir: str) -> None:
    from policymatch.embed import CachedEmbedder
    from policymatch.embed.e5 import E5Embedder
    from policymatch.match.matcher import Matcher

    matcher = Matcher.load(index_dir, embedder=CachedEmbedder(E5Embedder(), cache_dir))
    matcher.match(read_enterprises()[0])
    print(round(_rss_mb(), 1))


def bench_dense(
    sizes: list[int],
    seeds: np.ndarray | None = None,
    probes: np.ndarray | None = None,
    dim: int = 384,
) -> list[dict]:
    """Per-query latency of exact scoring of every item vs IVF top-1000 search, and IVF recall.

    With ``seeds`` (real passage vectors) the synthetic corpus scatters points around them
    (cosine about 0.9 to their seed), which keeps the clustered shape of real embeddings;
    ``probes`` are real query vectors. Without them both are random unit vectors, the worst
    case for IVF.
    """
    from policymatch.match.dense import DenseIndex

    rng = np.random.default_rng(0)
    if seeds is None or probes is None:
        seeds = rng.standard_normal((1000, dim), dtype=np.float32)
        probes = rng.standard_normal((20, dim), dtype=np.float32)
    probes = _unit(np.asarray(probes, dtype=np.float32))
    rows = []
    for n in sizes:
        vectors = seeds[rng.integers(0, len(seeds), n)] + 0.025 * rng.standard_normal(
            (n, seeds.shape[1]), dtype=np.float32
        )
        vectors = _unit(vectors)
        ids = np.arange(n, dtype=np.int64)
        matrix = DenseIndex.build(vectors, ids, ivf_threshold=n + 1).matrix()
        t0 = time.perf_counter()
        for q in probes:
            scores = matrix @ q
            np.argpartition(-scores, 1000)[:1000]
        exact_ms = 1000 * (time.perf_counter() - t0) / len(probes)
        truth = np.argsort(-(probes @ vectors.T), axis=1)[:, :10]
        t0 = time.perf_counter()
        ivf = DenseIndex.build(vectors, ids, ivf_threshold=1)
        row = {
            "vectors": n,
            "exact_all_ms": round(exact_ms, 2),
            "ivf_build_s": round(time.perf_counter() - t0, 1),
            "matrix_mb": round(vectors.nbytes / 2**20, 1),
        }
        for nprobe in (16, 64):
            faiss_ivf = ivf._ivf()
            faiss_ivf.nprobe = nprobe
            t0 = time.perf_counter()
            for q in probes:
                ivf.search(q[None, :], 1000)
            row[f"ivf{nprobe}_top1000_ms"] = round(
                1000 * (time.perf_counter() - t0) / len(probes), 2
            )
            found = ivf.search(probes, 10)[1]
            row[f"ivf{nprobe}_recall@10"] = round(
                float(
                    np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)])
                ),
                3,
            )
        rows.append(row)
        del vectors, ivf, matrix
    return rows


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=("sample", "real", "all", "none"), default="all")
    parser.add_argument("--cache", type=Path, help="Embedding cache folder (default: a fresh one).")
    parser.add_argument("--dense", action="store_true", help="Also time flat vs IVF scoring.")
    parser.add_argument(
        "--dense-sizes",
        default="10000,50000,100000,200000,400000",
        help="Vector counts for --dense.",
    )
    args = parser.parse_args()
    names = {"all": ["sample", "real"], "none": []}.get(args.corpus, [args.corpus])
    seeds = probes = None
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        cache = args.cache or work / "cache"
        for name in names:
            row, (seeds, probes) = bench_corpus(name, cache, work)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    if args.dense:
        sizes = [int(s) for s in args.dense_sizes.split(",")]
        for row in bench_dense(sizes, seeds, probes):
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
