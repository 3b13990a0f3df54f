#!/usr/bin/env python3
"""Measures the release binary as an operator sees it: time from process start to `/health`
answering, and resident memory of an idle `serve`. Prints markdown table rows.

Usage: bench_process.py PATH/TO/planwright
"""
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_ok(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/health")
        status = conn.getresponse().status
        conn.close()
        return status in (200, 503)
    except OSError:
        return False


def start(binary, workdir, port):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite://{workdir}/bench.db",
        "LOG_LEVEL": "warn",
    }
    began = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = began + 10
    while not health_ok(port):
        if time.perf_counter() > deadline or proc.poll() is not None:
            proc.kill()
            sys.exit("serve did not answer /health within 10 s")
        time.sleep(0.001)
    return proc, (time.perf_counter() - began) * 1000


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    binary = os.path.abspath(sys.argv[1])
    startup = []
    rss = None
    for i in range(RUNS):
        with tempfile.TemporaryDirectory() as workdir:
            # The first run of each database includes creating and migrating it; both count.
            proc, ms = start(binary, workdir, free_port())
            startup.append(ms)
            if i == 0:
                time.sleep(3)  # let start-up allocations settle: this is the idle figure
                rss = rss_mb(proc.pid)
            proc.terminate()
            proc.wait(timeout=30)
    startup.sort()
    p50 = statistics.median(startup)
    worst = startup[-1]
    print(f"| `serve` process start → `/health` answers (fresh SQLite, p50 of {RUNS}) | ≤ 200 ms | {p50:.0f} ms (worst {worst:.0f} ms) |")
    print(f"| `serve` idle resident memory (VmRSS, 3 s after start) | ≤ 30 MB | {rss:.1f} MB |")


if __name__ == "__main__":
    main()
