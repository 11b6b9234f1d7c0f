"""Load benchmark: the directory under gunicorn, as in production, driven over loopback by wrk.

    make bench          (or: .venv/bin/python bench/load.py [--sizes 1000 100000] [--seconds 10]
                         [--runs distinct pages] [--distinct-count 10000] [--modes cached uncached])

For each size (1,000 and 100,000 meetings) it fills a PostgreSQL database of its own with
`generate_meetings` (once; later runs reuse it), collects the static files and starts gunicorn
with gunicorn.conf.py (DEBUG off, persistent database connections, whitenoise), twice: with the
page cache on as in production (PAGE_CACHE_SECONDS=60) and off (0). Two runs (--runs):

- distinct (the headline, issue 17): wrk with --clients connections rotates for --seconds over
  --distinct-count distinct realistic searches (bench/searches.py: the same list at every size,
  its fingerprint printed), right after a run of the trivial view (/healthz) on the same server
  and a warm-up over other searches. Each wrk thread takes its own part of the list (no two
  connections replay the same searches) and counts the requests it made, the distinct searches
  among them and the repeats: the page cache keys on the minute, so only a search repeated
  within the same minute (and on the same gunicorn worker: the cache is per process without
  Redis) can be a cache hit. It sends Accept-Encoding as Chromium does (--accept-encoding).
  Prints requests per second, the ratio to the trivial run, median, p95 and p99 latency, failed
  requests (any answer other than 2xx/3xx counts). Budgets at 100,000, printed PASS/MISS: cache
  on at least 0.25x the trivial view's throughput, median under 30 ms, p99 under 150 ms; cache
  off at least 0.15x; cost flat: each median at 100,000 within 1.2x of its median at 1,000.
- pages (issue 7): each public page in turn for --seconds, after a run of the trivial view just
  before it, printing requests per second, the ratio, median, p95 and p99 latency, SQL queries
  per request (counted in-process on the same database) and response size; then a soak:
  --soak-seconds at --soak-clients over every page in turn, counting failed requests. Budgets:
  at 100,000 meetings every search page at least a third of the trivial view's throughput with
  a median under 50 ms at 8 clients; each page's median within 1.5x of its median at 1,000; the
  same number of queries at both sizes; no failed request in the soak.

Results also go to bench/results/load-<date>.json.
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
from searches import describe, fingerprint, generate, standard_values  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
SEARCH_PAGES = {"by day", "fellowship+type", "near 25 km", "text search", "upcoming", "API"}
MEDIAN_BUDGET_MS = 50.0
RATIO_BUDGET = 1 / 3
GROWTH_BUDGET = 1.5
# Issue 17, distinct searches at 100,000 meetings.
DISTINCT_RATIO_CACHED = 0.25
DISTINCT_RATIO_UNCACHED = 0.15
DISTINCT_MEDIAN_MS = 30.0
DISTINCT_P99_MS = 150.0
DISTINCT_GROWTH = 1.2
CHROMIUM_ENCODING = "gzip, deflate, br, zstd"  # what Chromium sends

# wrk prints one JSON line at the end: latency percentiles in microseconds, counts, errors, and
# what the threads asked for. Each thread (setup numbers them) takes its own block of the list
# and loops over it, so no two connections replay the same paths; `last` remembers the minute
# each path was last asked for (the page cache's key moves every minute).
WRK_SCRIPT = """
local paths = {%s}
local extra = {%s}
local threads = {}
local made = 0
setup = function(thread)
  thread:set("tid", made)
  made = made + 1
  table.insert(threads, thread)
end
init = function(args)
  local total = tonumber(args[1]) or 1
  lo = math.floor(tid * #paths / total)
  hi = math.floor((tid + 1) * #paths / total)
  if hi <= lo then lo, hi = 0, #paths end
  cursor, issued, repeats, minute_repeats, last = lo, 0, 0, 0, {}
end
request = function()
  local i = cursor
  cursor = cursor + 1
  if cursor >= hi then cursor = lo end
  issued = issued + 1
  local minute = math.floor(os.time() / 60)
  if last[i] ~= nil then
    repeats = repeats + 1
    if last[i] == minute then minute_repeats = minute_repeats + 1 end
  end
  last[i] = minute
  local entry = paths[i + 1]
  local headers = {}
  for k, v in pairs(extra) do headers[k] = v end
  if entry[2] ~= "" then headers["Cookie"] = entry[2] end
  return wrk.format("GET", entry[1], headers)
end
done = function(summary, latency, requests)
  local issued_all, repeats_all, minute_all, distinct = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    local n = t:get("issued")
    issued_all = issued_all + n
    repeats_all = repeats_all + t:get("repeats")
    minute_all = minute_all + t:get("minute_repeats")
    distinct = distinct + math.min(n, t:get("hi") - t:get("lo"))
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%%d,"duration_us":%%d,"bytes":%%d,"p50":%%d,"p95":%%d,"p99":%%d,' ..
    '"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d,"issued":%%d,' ..
    '"distinct":%%d,"repeats":%%d,"minute_repeats":%%d,"paths":%%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), e.connect, e.read, e.write, e.status,
    e.timeout, issued_all, math.min(distinct, #paths), repeats_all, minute_all, #paths))
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
    parser.add_argument(
        "--runs",
        nargs="+",
        default=["distinct"],
        choices=["distinct", "pages"],
        help="distinct: rotate over distinct searches (the headline); pages: page by page, soak",
    )
    parser.add_argument("--distinct-count", type=int, default=10_000, help="distinct searches")
    parser.add_argument("--searches-seed", type=int, default=1, help="bench/searches.py seed")
    parser.add_argument(
        "--warm-seconds", type=int, default=5, help="warm-up over other searches, per server"
    )
    parser.add_argument(
        "--accept-encoding",
        default=CHROMIUM_ENCODING,
        help="sent with the distinct run's requests ('' for none)",
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
        # The cache every app server shares, as .env.example has it (emptied before each
        # server starts, so that a run begins with nothing kept).
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"),
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def collectstatic(env: dict) -> None:
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


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
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
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


def lua(text: str) -> str:
    """A Lua string literal (paths are percent-encoded: ASCII)."""
    if not text.isascii() or any(c in text for c in '\\"\n\r'):
        raise ValueError(f"not a plain ASCII string: {text!r}")
    return f'"{text}"'


def wrk(port: int, paths: list, clients: int, seconds: int, headers: dict | None = None) -> dict:
    """wrk over these paths (each a path, or a (path, cookie) pair), with these headers."""
    entries = [(p, "") if isinstance(p, str) else p for p in paths]
    threads = min(2, clients)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            WRK_SCRIPT
            % (
                ", ".join(f"{{{lua(p)}, {lua(c)}}}" for p, c in entries),
                ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in (headers or {}).items()),
            )
        )
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}",
            "--",
            str(threads),
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


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)


def prepare(args, size: int) -> dict:
    """The size's database, filled once, migrated and analysed; the static files collected."""
    url = database_url(args.base_url, size)
    prepare_database(url, args.fresh)
    env = env_for(url, str(ROOT / "staticfiles"))
    fill(env, size)
    collectstatic(env)
    return env


def run_distinct(args, env: dict, searches: list, warm: list) -> dict:
    """The distinct searches under load, with the page cache on and off: a fresh gunicorn for
    each, warmed on /healthz and on other searches (never the measured ones: they would be in
    the page cache), then the trivial view, then the searches."""
    headers = {"Accept-Encoding": args.accept_encoding} if args.accept_encoding else {}
    paths = [(s.url, s.cookie()) for s in searches]
    warm_paths = [(s.url, s.cookie()) for s in warm]
    out = {}
    for mode, seconds in (("cached", "60"), ("uncached", "0")):
        if mode not in args.modes:
            continue
        port = free_port()
        server = start_gunicorn({**env, "PAGE_CACHE_SECONDS": seconds}, port)
        try:
            wrk(port, ["/healthz"], args.clients, 2, headers)  # every worker started
            wrk(port, warm_paths, args.clients, args.warm_seconds, headers)
            load = os.getloadavg()[0]
            trivial = wrk(port, ["/healthz"], args.clients, max(2, args.seconds // 2), headers)
            result = wrk(port, paths, args.clients, args.seconds, headers)
        finally:
            stop(server)
        row = {
            "rps": result["rps"],
            "trivial_rps": trivial["rps"],
            "ratio": result["rps"] / trivial["rps"],
            "p50_ms": result["p50"] / 1000,
            "p95_ms": result["p95"] / 1000,
            "p99_ms": result["p99"] / 1000,
            "trivial_p50_ms": trivial["p50"] / 1000,
            "requests": result["requests"],
            "issued": result["issued"],
            "distinct": result["distinct"],
            "repeats": result["repeats"],
            "minute_repeats": result["minute_repeats"],
            "failed": result["failed"],
            "status_errors": result["status"],
            "kb": result["bytes"] / max(1, result["requests"]) / 1024,
            "load": load,
        }
        out[mode] = row
        print(
            f"  page cache {'on ' if mode == 'cached' else 'off'}: {row['rps']:7.1f} req/s "
            f"({row['ratio']:.3f}x trivial {row['trivial_rps']:.0f}), p50 {row['p50_ms']:.1f} ms, "
            f"p99 {row['p99_ms']:.1f} ms, {row['requests']} requests over {row['distinct']} "
            f"distinct searches",
            flush=True,
        )
    return out


def run_size(args, env: dict) -> dict:
    """Every page under load twice: with the page cache as in production (a repeated page),
    and with it off (every request builds its page: the cost of a search nobody made this
    minute). Then the soak, with the cache on."""
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
                    "p99_ms": result["p99"] / 1000,
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
            stop(server)
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
        f"{'p99 ms':>8} {'SQL':>4} {'KB':>8} {'failed':>6}"
    )
    lines += [header, "-" * len(header)]
    for label, row in rows.items():
        lines.append(
            f"{label:<20} {row['rps']:>8.1f} {row['trivial_rps']:>8.1f} {row['ratio']:>6.2f} "
            f"{row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['queries']:>4} "
            f"{row['bytes'] / 1024:>8.1f} "
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
    """The pages run (issue 7)."""
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
            f"p50 {soak['p50'] / 1000:.1f} ms, p95 {soak['p95'] / 1000:.1f} ms, "
            f"p99 {soak['p99'] / 1000:.1f} ms"
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


def verdict(ok: bool | None, text: str) -> str:
    return f"  {'n/a ' if ok is None else 'PASS' if ok else 'MISS'}  {text}"


def distinct_report(args, results: dict[int, dict], searches: list) -> list[str]:
    """The distinct run side by side, and the budgets of issue 17."""
    encoding = args.accept_encoding or "none"
    lines = [
        f"\nDistinct searches: {describe(searches)}",
        f"{args.clients} clients, {args.seconds} s a run, wrk -t{min(2, args.clients)}, "
        f"Accept-Encoding: {encoding}; gunicorn on {os.cpu_count()} CPUs",
    ]
    header = (
        f"{'meetings':>9} {'cache':<5} {'load':>5} {'req/s':>8} {'trivial':>8} {'ratio':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'KB':>5} {'requests':>8} {'distinct':>8} "
        f"{'repeat':>6} {'in-min':>6} {'failed':>6}"
    )
    lines += [header, "-" * len(header)]
    for size in sorted(results):
        for mode, row in results[size].get("distinct", {}).items():
            issued = max(1, row["issued"])
            lines.append(
                f"{size:>9,} {'on' if mode == 'cached' else 'off':<5} {row['load']:>5.2f} "
                f"{row['rps']:>8.1f} {row['trivial_rps']:>8.1f} {row['ratio']:>6.3f} "
                f"{row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {row['p99_ms']:>7.1f} "
                f"{row['kb']:>5.1f} {row['requests']:>8} {row['distinct']:>8} "
                f"{row['repeats'] / issued:>6.1%} {row['minute_repeats'] / issued:>6.1%} "
                f"{row['failed']:>6}"
            )
    lines.append(
        "(load: 1-minute load average before the run; distinct: searches asked for, of "
        f"{len(searches):,}; repeat: requests for a search already asked for; in-min: repeats "
        "in the same minute, the most the page cache can serve, fewer as each of gunicorn's "
        "workers has its own cache)"
    )
    sizes = sorted(size for size in results if "distinct" in results[size])
    large = 100_000 if 100_000 in results else None
    lines.append("\nBudgets (issue 17: 100,000 meetings, distinct searches, 8 clients):")
    rows = results[large]["distinct"] if large else {}
    cached, uncached = rows.get("cached"), rows.get("uncached")
    if cached:
        lines.append(
            verdict(
                cached["ratio"] >= DISTINCT_RATIO_CACHED,
                f"cache on: at least {DISTINCT_RATIO_CACHED}x the trivial view: "
                f"{cached['ratio']:.3f}x ({cached['rps']:.1f} / {cached['trivial_rps']:.1f} req/s)",
            )
        )
        lines.append(
            verdict(
                cached["p50_ms"] < DISTINCT_MEDIAN_MS,
                f"cache on: median under {DISTINCT_MEDIAN_MS:g} ms: {cached['p50_ms']:.1f} ms",
            )
        )
        lines.append(
            verdict(
                cached["p99_ms"] < DISTINCT_P99_MS,
                f"cache on: p99 under {DISTINCT_P99_MS:g} ms: {cached['p99_ms']:.1f} ms",
            )
        )
    else:
        lines.append(verdict(None, "cache on: not measured at 100,000"))
    if uncached:
        lines.append(
            verdict(
                uncached["ratio"] >= DISTINCT_RATIO_UNCACHED,
                f"cache off: at least {DISTINCT_RATIO_UNCACHED}x the trivial view: "
                f"{uncached['ratio']:.3f}x ({uncached['rps']:.1f} / "
                f"{uncached['trivial_rps']:.1f} req/s)",
            )
        )
    else:
        lines.append(verdict(None, "cache off: not measured at 100,000"))
    small = 1000 if 1000 in results else (sizes[0] if sizes else None)
    for mode, title in (("cached", "cache on"), ("uncached", "cache off")):
        if mode not in args.modes:
            continue
        if not large or not small or small == large:
            lines.append(verdict(None, f"cost flat, {title}: needs 1,000 and 100,000"))
            continue
        a, b = results[small]["distinct"][mode], results[large]["distinct"][mode]
        growth = b["p50_ms"] / a["p50_ms"] if a["p50_ms"] else float("inf")
        lines.append(
            verdict(
                growth <= DISTINCT_GROWTH,
                f"cost flat, {title}: median at 100,000 within {DISTINCT_GROWTH}x of the median "
                f"at {small:,}: x{growth:.2f} ({b['p50_ms']:.1f} / {a['p50_ms']:.1f} ms)",
            )
        )
    failed = sum(row["failed"] for s in sizes for row in results[s]["distinct"].values())
    lines.append(verdict(not failed, f"every request answered 2xx/3xx: {failed} failed"))
    return lines


def main() -> None:
    args = parse_args()
    print(
        f"{os.cpu_count()} CPUs, load average {', '.join(f'{n:.2f}' for n in os.getloadavg())} "
        "before the run",
        flush=True,
    )
    searches = warm = []
    if "distinct" in args.runs:
        values = standard_values(args.base_url)
        searches = generate(values, args.distinct_count, args.searches_seed)
        measured = {(s.url, s.cookie_tz) for s in searches}
        warm = [
            s
            for s in generate(values, 300, args.searches_seed + 1000)
            if (s.url, s.cookie_tz) not in measured
        ]
        print(describe(searches), flush=True)
    results = {}
    for size in args.sizes:
        print(f"\n== {size:,} meetings", flush=True)
        env = prepare(args, size)
        results[size] = {}
        if "distinct" in args.runs:
            results[size]["distinct"] = run_distinct(args, env, searches, warm)
        if "pages" in args.runs:
            results[size].update(run_size(args, env))
    lines = []
    if "distinct" in args.runs:
        lines += distinct_report(args, results, searches)
    if "pages" in args.runs:
        lines += report(args, results)
    print("\n".join(lines))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    saved = {str(k): v for k, v in results.items()}
    if searches:
        saved["searches"] = {"count": len(searches), "fingerprint": fingerprint(searches)}
    (out / f"load-{stamp}.json").write_text(json.dumps(saved, indent=1))


if __name__ == "__main__":
    main()
