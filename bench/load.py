"""Load benchmark: the directory under gunicorn, as in production, driven over loopback by wrk.

    make bench          (or: .venv/bin/python bench/load.py [--sizes 1000 100000] [--seconds 10])

For each size (1,000 and 100,000 meetings) it fills a PostgreSQL database of its own with
`generate_meetings` (once; later runs reuse it), collects the static files, starts gunicorn with
gunicorn.conf.py (DEBUG off, persistent database connections, whitenoise), and for each public
page runs wrk with --clients connections for --seconds, after a run of the trivial view
(/healthz) just before it, printing requests per second, the ratio to that trivial run's, median
and 95th-percentile latency, SQL queries per request (counted in-process on the same database)
and response size. Then a soak:
--soak-seconds at --soak-clients over every page in turn, counting failed requests.

The budgets (issue 7) are checked and printed: at 100,000 meetings every search page at least a
third of the trivial view's throughput with a median under 50 ms at 8 clients; each page's
median within 1.5x of its median at 1,000; the same number of queries at both sizes; no failed
request in the soak. Results also go to bench/results/load-<date>.json.
"""

import argparse
import datetime
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from search import NEAR_CITY, WORD, prepare_database  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
SEARCH_PAGES = {"by day", "fellowship+type", "near 25 km", "text search", "upcoming", "API"}
MEDIAN_BUDGET_MS = 50.0
RATIO_BUDGET = 1 / 3
GROWTH_BUDGET = 1.5

# wrk prints one JSON line at the end: latency percentiles in microseconds, counts, errors.
WRK_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%%d,"duration_us":%%d,"bytes":%%d,"p50":%%d,"p95":%%d,"connect":%%d,' ..
    '"read":%%d,"write":%%d,"status":%%d,"timeout":%%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--seconds", type=int, default=10, help="per page and size")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--soak-seconds", type=int, default=60)
    parser.add_argument("--soak-clients", type=int, default=32)
    parser.add_argument("--base-url", default="postgres://postgres@127.0.0.1:5432/")
    parser.add_argument("--fresh", action="store_true", help="rebuild the databases")
    parser.add_argument(
        "--modes", nargs="+", default=["cached", "uncached"], choices=["cached", "uncached"]
    )
    return parser.parse_args()


def database_url(base: str, size: int) -> str:
    return f"{base.rstrip('/')}/recovery_directory_load_{size}"


def env_for(url: str, static_root: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SITE_URL": "http://127.0.0.1:8000",  # groups.checks refuses the default with DEBUG off
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "DB_CONN_MAX_AGE": "600",
        "STATIC_ROOT": static_root,
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def fill(env: dict, size: int) -> None:
    """Migrates and fills the database to exactly `size` meetings (once), then VACUUM ANALYZE."""
    import psycopg

    manage(env, "migrate", "--noinput", "--verbosity", "0")
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM groups_meeting").fetchone()[0]
        if have != size:
            if have:
                sys.exit(f"{env['DATABASE_URL']} holds {have} meetings, not {size}: use --fresh.")
            print(f"Generating {size:,} meetings...", flush=True)
            started = time.perf_counter()
            manage(env, "generate_meetings", "--count", str(size), "--seed", "1")
            print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
        conn.execute("VACUUM ANALYZE")


def pages(env: dict) -> list[tuple[str, str]]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        slug = conn.execute(
            "SELECT slug FROM groups_meeting WHERE status = 'active' ORDER BY id "
            "OFFSET (SELECT count(*) / 2 FROM groups_meeting WHERE status = 'active') LIMIT 1"
        ).fetchone()[0]
        region = conn.execute(
            "SELECT slug FROM groups_region WHERE name = %s LIMIT 1", [NEAR_CITY]
        ).fetchone()[0]
    return [
        ("home", "/"),
        ("by day", "/meetings/?day=1"),
        ("fellowship+type", "/meetings/?fellowship=aa&type=O"),
        ("near 25 km", f"/meetings/?near={NEAR_CITY}&distance=25"),
        ("text search", f"/meetings/?q={WORD}"),
        ("upcoming", "/meetings/"),
        ("meeting page", f"/meetings/{slug}/"),
        ("API", "/api/meetings/?day=1"),
        # A city's feed, as an app or a local site fetches it (the whole national feed is a
        # download of minutes, measured by bench/feed.py).
        ("feed (a city)", f"/feeds/meeting-guide.json?region={region}"),
        ("referral PDF", f"/referrals/sheet.pdf?region={region}&day=1&fellowship=aa"),
    ]


def count_queries(env: dict, urls: list[str]) -> dict[str, tuple[int, int, int]]:
    """(queries, bytes, status) per URL, in a child process with the same settings."""
    code = """
import json, sys, os
sys.path.insert(0, os.getcwd())
import recovery_directory.wsgi
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
out = {}
for url in json.loads(sys.argv[1]):
    client.get(url)
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    body = b"".join(r.streaming_content) if r.streaming else r.content
    out[url] = [len(q.captured_queries), len(body), r.status_code]
print(json.dumps(out))
"""
    done = subprocess.run(
        [PYTHON, "-c", code, json.dumps(urls)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return {url: tuple(v) for url, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            GUNICORN,
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "recovery_directory.wsgi",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


def wrk(port: int, paths: list[str], clients: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    done = subprocess.run(
        [
            "wrk",
            f"-t{min(2, clients)}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(script.name)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["failed"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return result


def run_size(args, size: int) -> dict:
    """Every page under load twice: with the page cache as in production (a repeated page),
    and with it off (every request builds its page: the cost of a search nobody made this
    minute). Then the soak, with the cache on."""
    url = database_url(args.base_url, size)
    prepare_database(url, args.fresh)
    env = env_for(url, str(ROOT / "staticfiles"))
    fill(env, size)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    targets = [("trivial (/healthz)", "/healthz"), *pages(env)]
    measured = count_queries({**env, "PAGE_CACHE_SECONDS": "0"}, [p for _, p in targets])
    out = {}
    for mode, seconds in (("cached", "60"), ("uncached", "0")):
        if mode not in args.modes:
            continue
        print(f"  page cache {mode}", flush=True)
        port = free_port()
        server = start_gunicorn({**env, "PAGE_CACHE_SECONDS": seconds}, port)
        rows = {}
        try:
            for label, path in targets:
                wrk(port, [path], args.clients, 2)  # warm every worker
                # The trivial view again just before each page: the machine's speed drifts
                # (other work, the CPU's clock), and a page is compared with its neighbour.
                trivial = wrk(port, ["/healthz"], args.clients, max(2, args.seconds // 2))
                result = wrk(port, [path], args.clients, args.seconds)
                queries, size_bytes, status = measured[path]
                rows[label] = {
                    "path": path,
                    "rps": result["rps"],
                    "trivial_rps": trivial["rps"],
                    "p50_ms": result["p50"] / 1000,
                    "p95_ms": result["p95"] / 1000,
                    "queries": queries,
                    "bytes": size_bytes,
                    "status": status,
                    "failed": result["failed"],
                }
                print(
                    f"    {label:<20} {result['rps']:>8.1f} req/s  "
                    f"p50 {result['p50'] / 1000:>7.1f} ms",
                    flush=True,
                )
            if mode == "cached":
                out["soak"] = wrk(
                    port, [p for _, p in targets], args.soak_clients, args.soak_seconds
                )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        for row in rows.values():
            row["ratio"] = row["rps"] / row["trivial_rps"]
        out[mode] = rows
    return out


def table(args, size: int, mode: str, rows: dict) -> list[str]:
    lines = [
        f"\n{size:,} meetings, page cache {mode}: {args.clients} clients, "
        f"{args.seconds} s a page, gunicorn on {os.cpu_count()} CPUs"
    ]
    header = (
        f"{'page':<20} {'req/s':>8} {'trivial':>8} {'ratio':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'SQL':>4} {'KB':>8} {'failed':>6}"
    )
    lines += [header, "-" * len(header)]
    for label, row in rows.items():
        lines.append(
            f"{label:<20} {row['rps']:>8.1f} {row['trivial_rps']:>8.1f} {row['ratio']:>6.2f} "
            f"{row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['queries']:>4} {row['bytes'] / 1024:>8.1f} "
            f"{row['failed']:>6}"
        )
    return lines


def misses_of(results: dict[int, dict], mode: str) -> list[str]:
    """The budgets (issue 7) this mode misses at the largest size."""
    sizes = sorted(results)
    small, large = sizes[0], sizes[-1]
    misses = []
    for label, row in results[large][mode].items():
        if label in SEARCH_PAGES:
            if row["p50_ms"] >= MEDIAN_BUDGET_MS:
                misses.append(f"{label}: median {row['p50_ms']:.1f} ms (budget < 50 ms)")
            if row["ratio"] < RATIO_BUDGET:
                misses.append(f"{label}: {row['ratio']:.2f}x the trivial view (budget >= 0.33x)")
        if small == large or label.startswith("trivial"):
            continue
        base = results[small][mode][label]
        row["growth"] = row["p50_ms"] / base["p50_ms"] if base["p50_ms"] else 0.0
        if row["growth"] > GROWTH_BUDGET:
            misses.append(
                f"{label}: median {row['growth']:.2f}x its median at {small:,} (budget 1.5x)"
            )
        if row["queries"] != base["queries"]:
            misses.append(f"{label}: {row['queries']} queries vs {base['queries']} at {small:,}")
    return misses


def report(args, results: dict[int, dict]) -> list[str]:
    lines = []
    for size in sorted(results):
        for mode in args.modes:
            lines += table(args, size, mode, results[size][mode])
        if "soak" not in results[size]:
            continue
        soak = results[size]["soak"]
        lines.append(
            f"soak (cache on): {args.soak_seconds} s at {args.soak_clients} clients over every "
            f"page: {soak['requests']} requests, {soak['failed']} failed, "
            f"p50 {soak['p50'] / 1000:.1f} ms, p95 {soak['p95'] / 1000:.1f} ms"
        )
    failed = [
        f"{size:,}: {results[size]['soak']['failed']} failed requests in the soak"
        for size in results
        if results[size].get("soak", {}).get("failed")
    ]
    for mode, title in (
        ("cached", "with the page cache (production)"),
        ("uncached", "with every page built afresh"),
    ):
        if mode not in args.modes:
            continue
        misses = misses_of(results, mode) + (failed if mode == "cached" else [])
        growth = [
            f"{label} {row['growth']:.2f}"
            for label, row in results[max(results)][mode].items()
            if "growth" in row
        ]
        if growth:
            lines.append(
                f"\nMedian at {max(results):,} / at {min(results):,}, {mode}: " + ", ".join(growth)
            )
        lines.append(
            f"Budgets {title}: " + ("all met." if not misses else f"{len(misses)} missed:")
        )
        lines += [f"  - {miss}" for miss in misses]
    return lines


def main() -> None:
    args = parse_args()
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} before the run", flush=True)
    results = {}
    for size in args.sizes:
        print(f"\n== {size:,} meetings", flush=True)
        results[size] = run_size(args, size)
    lines = report(args, results)
    print("\n".join(lines))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    (out / f"load-{stamp}.json").write_text(
        json.dumps({str(k): v for k, v in results.items()}, indent=1)
    )


if __name__ == "__main__":
    main()
