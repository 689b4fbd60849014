"""Latency and throughput of POST /v1/match under concurrent load, and the server's RSS.

The server runs in its own process (uvicorn, one worker) on loopback; 8 client threads
(httpx) post enterprise profiles as fast as it answers. With no ``--data-dir`` the sample
corpus and enterprises are ingested and indexed into a temporary folder first.

    python -m bench.api                       # build from data/, 8 clients, 400 requests
    python -m bench.api --data-dir var --clients 8 --requests 2000
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def policymatch(env: dict[str, str], *args: str) -> None:
    """Run one ``policymatch`` CLI command in a child process; stop on failure."""
    command = [sys.executable, "-c", "from policymatch.cli import app; app()", *args]
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def build_demo(data_dir: Path, env: dict[str, str]) -> None:
    policymatch(env, "ingest", str(SAMPLE_POLICIES))
    policymatch(env, "enterprises", "load", str(SAMPLE_ENTERPRISES))
    policymatch(env, "index")


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_ready(base: str, timeout: float = 120.0) -> None:
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


def run_load(
    base: str, profiles: list[dict[str, object]], clients: int, total: int, k: int, fresh: bool
) -> tuple[list[float], float, int]:
    """Post ``total`` match requests from ``clients`` threads.

    Returns:
        Latencies in ms, wall time in s, and the number of non-200 answers.
    """
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        nonlocal failures
        with httpx.Client(base_url=base, timeout=60) as client:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                profile = dict(profiles[n % len(profiles)])
                if fresh:  # a new text each time: the server's query-vector cache cannot help
                    profile["description"] = f"{profile.get('description', '')}（第{n}次咨询）"
                body = {"profile": profile}
                started = time.perf_counter()
                response = client.post(f"/v1/match?k={k}", json=body)
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


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="existing data dir with store and index")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=16)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument(
        "--fresh", action="store_true", help="make every profile text new (no embedding cache hits)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="policymatch-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        env = {
            **os.environ,
            "POLICYMATCH_DATA_DIR": str(data_dir.resolve()),
            "PYTHONPATH": str(ROOT),
        }
        if args.data_dir is None:
            build_demo(data_dir, env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            wait_ready(base)
            profiles = load_profiles()
            run_load(base, profiles, args.clients, args.warmup, args.k, args.fresh)
            rss_before = rss_mb(server.pid)
            latencies, wall, failures = run_load(
                base, profiles, args.clients, args.requests, args.k, args.fresh
            )
            rss_after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(
        f"POST /v1/match k={args.k}: {len(latencies)} requests, {args.clients} clients, "
        f"{len(profiles)} sample profiles" + (", each text new" if args.fresh else "")
    )
    print(
        f"  latency p50 {percentile(latencies, 50):.1f} ms  p95 {percentile(latencies, 95):.1f} ms  "
        f"max {max(latencies):.1f} ms"
    )
    print(f"  throughput {len(latencies) / wall:.1f} req/s  failures {failures}")
    print(f"  server RSS {rss_before:.0f} MiB after warm-up, {rss_after:.0f} MiB after load")


if __name__ == "__main__":
    main()
