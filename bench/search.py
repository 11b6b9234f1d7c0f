"""Search latency benchmark on PostgreSQL, in one process (a script, not a test).

    make bench-search   (or: .venv/bin/python bench/search.py [--sizes 1000 100000]
        [--runs fixed distinct] [--repeat 30] [--distinct-count 300] [--distinct-repeat 1]
        [--language es] [--page-cache 60] [--explain-slowest 5 --explain-file docs/x.txt]
        [--database-url postgres://postgres@127.0.0.1:5432/recovery_directory_load_100000])

Reads the databases bench/load.py fills (recovery_directory_load_1000 and _100000: created and
filled with `manage.py generate_meetings` only if missing or empty), migrates them, runs VACUUM
ANALYZE, loads the app as gunicorn does, with the page cache off (PAGE_CACHE_SECONDS=0, unless
--page-cache or the environment says otherwise: a page built from nothing), and times the
searches in-process with django.test.Client, one child process per size so that both sizes'
figures come from one command. --count N is --sizes N; --database-url measures that one
database instead (as it is, or topped up to --count meetings; --fresh rebuilds it).

Two runs:
- fixed: a handful of named searches, each a warm-up, one run capturing its SQL, then --repeat
  timed runs; the old budget (the finder issue): median < 50 ms, HTML < 60 KB. EXPLAIN ANALYZE
  of the slowest SQL goes to /tmp/recovery-directory-bench-explain-<meetings>.txt. --language
  reads these pages in that language (/es/meetings/…); the API has no language.
- distinct: --distinct-count distinct realistic searches (bench/searches.py, the same list at
  every size: its fingerprint is printed), a warm-up pass over all of them, a pass counting
  each page's SQL, then --distinct-repeat timed passes; median, p95, p99 and max over the
  searches, and the queries per page (min and max by kind of search: the count should be
  constant for a kind of page). Budgets (issue 17):
  median under 8 ms at 100,000 meetings, and the median at 100,000 within 1.2x of the median at
  1,000 over the same searches. --explain-slowest N writes the EXPLAIN (ANALYZE, BUFFERS) of the
  slowest statements of the N slowest distinct searches to --explain-file (for docs/).
Results go to bench/results/search-<date>.json.
"""

import argparse
import datetime
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BASE_URL = "postgres://postgres@127.0.0.1:5432/"
EXPLAIN_FILE = "/tmp/recovery-directory-bench-explain-{count}.txt"
BUDGET_MS = 50.0
BUDGET_KB = 60.0
DISTINCT_BUDGET_MS = 8.0  # issue 17: a search page built from nothing, at 100,000
GROWTH_BUDGET = 1.2  # issue 17: cost flat, 100,000 against 1,000
NEAR_CITY = "Denver"  # a city generate_meetings populates
WORD = "serenity"  # in many meeting and group names


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1000, 100_000], help="the load databases"
    )
    parser.add_argument("--count", type=int, help="one size (with --database-url: meetings wanted)")
    parser.add_argument("--base-url", default=BASE_URL, help="where the load databases are")
    parser.add_argument(
        "--database-url", help="measure this database instead of the load databases"
    )
    parser.add_argument(
        "--runs", nargs="+", default=["fixed", "distinct"], choices=["fixed", "distinct"]
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per fixed search")
    parser.add_argument("--distinct-count", type=int, default=300, help="distinct searches")
    parser.add_argument(
        "--distinct-repeat", type=int, default=1, help="timed passes over the distinct searches"
    )
    parser.add_argument("--searches-seed", type=int, default=1, help="bench/searches.py seed")
    parser.add_argument("--seed", type=int, default=1, help="generate_meetings seed")
    parser.add_argument(
        "--fresh", action="store_true", help="with --database-url: drop and rebuild it"
    )
    parser.add_argument("--language", default="en", help="the fixed pages' language (en, es, fr)")
    parser.add_argument(
        "--page-cache",
        default=os.environ.get("PAGE_CACHE_SECONDS", "0"),
        help="PAGE_CACHE_SECONDS (default 0: off)",
    )
    parser.add_argument("--explain-slowest", type=int, default=0, metavar="N")
    parser.add_argument(
        "--explain-file",
        default="/tmp/recovery-directory-bench-distinct-explain-{count}.txt",
        help="where --explain-slowest writes ({count}: the meetings)",
    )
    # Internal: one database, in a child process.
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--searches-file", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    parser.add_argument("--exact", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count is not None and not args.database_url:
        args.sizes = [args.count]
    return args


def database_url(base: str, size: int) -> str:
    return f"{base.rstrip('/')}/recovery_directory_load_{size}"


def load_average() -> str:
    return ", ".join(f"{n:.2f}" for n in os.getloadavg())


def prepare_database(url: str, fresh: bool) -> None:
    """Creates the database if missing (dropping it first with --fresh)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("recovery_directory_dev", "recovery_directory_ci", "postgres"):
        sys.exit(f"Refusing to use the database {name!r}: give a dedicated benchmark database.")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


def bootstrap(url: str, page_cache: str | None = None) -> None:
    """Loads the app on that database. page_cache: PAGE_CACHE_SECONDS ("0" turns the page
    cache off); None leaves the environment's (the other bench scripts' behaviour)."""
    sys.path.insert(0, str(ROOT))
    if page_cache is not None:
        os.environ["PAGE_CACHE_SECONDS"] = page_cache
    os.environ["DJANGO_SETTINGS_MODULE"] = "recovery_directory.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")  # as .env.example recommends
    # The shared cache, as .env.example has it, emptied so that a run starts with nothing kept.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    # Load the app as gunicorn does (settings, and the garbage collector tuning in wsgi.py).
    import recovery_directory.wsgi  # noqa: F401


def fill(count: int, seed: int, exact: bool = False) -> int:
    from django.core.management import call_command
    from django.db import connection

    from groups.models import Meeting

    call_command("migrate", verbosity=0)
    have = Meeting.objects.count()
    if exact and have not in (0, count):
        # A load database (bench/load.py's): filled once to its size, never topped up.
        sys.exit(f"The database holds {have} meetings, not {count}: bench/load.py --fresh.")
    if have < count:
        print(f"{have} meetings; generating {count - have} more.")
        call_command("generate_meetings", count=count - have, seed=seed)
    else:
        print(f"Reusing {have} meetings.")
    with connection.cursor() as cursor:
        # VACUUM too: after a bulk load the visibility map is empty and index-only scans still
        # visit the heap, which autovacuum would soon fix on a live site.
        cursor.execute("VACUUM ANALYZE")
    return Meeting.objects.count()


def in_language(pages: list[tuple[str, str]], language: str) -> list[tuple[str, str]]:
    """The pages at their address in that language (English has no prefix)."""
    if language == "en":
        return pages
    return [
        (label, url if url.startswith("/api/") else f"/{language}{url}") for label, url in pages
    ]


def searches() -> list[tuple[str, str]]:
    from groups.models import Meeting

    active = Meeting.objects.filter(status="active").order_by("pk").values_list("slug", flat=True)
    slug = active[active.count() // 2]
    return [
        ("home", "/"),
        ("by day", "/meetings/?day=1"),
        ("fellowship+type", "/meetings/?fellowship=aa&type=O"),
        ("near 25 km", f"/meetings/?near={NEAR_CITY}&distance=25"),
        ("text search", f"/meetings/?q={WORD}"),
        ("upcoming (default)", "/meetings/"),
        ("sorted by time", "/meetings/?sort=time&day=3"),
        # On the viewer's clock (issue 11): weekdays, today, the next two hours.
        ("by day, viewer's zone", "/meetings/?day=1&tz=America/New_York"),
        ("time order, viewer's zone", "/meetings/?sort=time&day=3&tz=Europe/London"),
        ("today near a place", f"/meetings/?day=today&near={NEAR_CITY}"),
        ("next 2 hours", "/meetings/?soon=2&tz=America/Chicago"),
        ("meeting page", f"/meetings/{slug}/"),
        ("API by day", "/api/meetings/?day=1"),
    ]


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Copy now: captured_queries reads the log lazily, and the next request clears it.
    queries = list(captured.captured_queries)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    content_type = response.get("Content-Type", "")
    return {
        "url": url,
        "status": response.status_code,
        "median": statistics.median(times),
        "p95": p95,
        "queries": queries,
        "kb": len(response.content) / 1024,
        "html": content_type.startswith("text/html"),
    }


def verdict(row: dict) -> str:
    reasons = []
    if row["status"] != 200:
        reasons.append(f"status {row['status']}")
    if row["median"] >= BUDGET_MS:
        reasons.append("slow")
    if row["html"] and row["kb"] >= BUDGET_KB:
        reasons.append("too big")
    return "PASS" if not reasons else "FAIL (" + ", ".join(reasons) + ")"


def print_table(rows: list[tuple[str, dict]], count: int, repeat: int) -> None:
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"\nFixed searches: {count:,} meetings, PostgreSQL, {repeat} runs each after a warm-up")
    print(f"{os.cpu_count()} CPUs, load average {load} (other work on the machine skews timings)\n")
    header = (
        f"{'search':<20} {'median ms':>9} {'p95 ms':>8} {'SQL':>4} {'KB':>7} {'HTTP':>5}  budget"
    )
    print(header)
    print("-" * len(header))
    for label, row in rows:
        kind = "" if row["html"] else " json"
        print(
            f"{label:<20} {row['median']:>9.1f} {row['p95']:>8.1f} {len(row['queries']):>4} "
            f"{row['kb']:>7.1f} {row['status']:>5}  {verdict(row)}{kind}"
        )
    failed = sum(verdict(row) != "PASS" for _, row in rows)
    print(
        f"\nBudget: median < {BUDGET_MS:g} ms and HTML < {BUDGET_KB:g} KB at 100,000 meetings. "
        f"{len(rows) - failed} of {len(rows)} searches pass."
    )
    for label, row in rows:
        print(f"  {label:<20} {row['url']}")


def explain(rows: list[tuple[str, dict]], path: Path) -> None:
    """EXPLAIN ANALYZE of the 5 slowest statements of the slowest page (and the slowest one of
    every other failing page), so the developer can see what to index."""
    from django.db import connection

    ranked = sorted(rows, key=lambda item: item[1]["median"], reverse=True)
    out = []
    for rank, (label, row) in enumerate(ranked):
        if rank and verdict(row) == "PASS":
            continue
        statements = sorted(row["queries"], key=lambda q: float(q["time"]), reverse=True)
        statements = statements[: 5 if rank == 0 else 1]
        for n, query in enumerate(statements, 1):
            sql = query["sql"]
            out.append(
                f"=== {label} ({row['url']}): statement {n}, {float(query['time']) * 1000:.1f} ms"
            )
            out.append(sql)
            if sql.lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    out.extend(line for (line,) in cursor.fetchall())
            out.append("")
        if rank == 0:
            print(f"\nSlowest page: {label} ({row['median']:.1f} ms); its slowest statements:")
            for query in statements:
                print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) written to {path}")


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of them at or below it."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * share) - 1))]


def summary(times: list[float]) -> dict:
    return {
        "n": len(times),
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "max": max(times),
    }


def explain_statements(client, searches: list, path: Path) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the three slowest statements of each of these searches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = []
    for rank, (search, ms) in enumerate(searches, 1):
        extra = {"HTTP_COOKIE": search.cookie()} if search.cookie_tz else {}
        with CaptureQueriesContext(connection) as captured:
            client.get(search.url, **extra)
        statements = sorted(
            captured.captured_queries, key=lambda q: float(q["time"]), reverse=True
        )[:3]
        cookie = f" (cookie tz={search.cookie_tz})" if search.cookie_tz else ""
        out.append(f"##### {rank}. {search.url}{cookie}: {ms:.1f} ms ({search.kind})")
        for n, query in enumerate(statements, 1):
            sql = query["sql"]
            out.append(f"=== statement {n}, {float(query['time']) * 1000:.1f} ms")
            out.append(sql)
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    out.extend(line for (line,) in cursor.fetchall())
            out.append("")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the {len(searches)} slowest searches written to {path}")


def run_distinct(args, client, count: int) -> dict:
    """Every distinct search once to warm up, once to count its SQL, then timed passes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from searches import Search

    searches = [Search(**s) for s in json.loads(Path(args.searches_file).read_text())]
    extras = [{"HTTP_COOKIE": s.cookie()} if s.cookie_tz else {} for s in searches]
    statuses, sizes = [], []
    started = time.perf_counter()
    for search, extra in zip(searches, extras, strict=True):
        response = client.get(search.url, **extra)
        statuses.append(response.status_code)
        sizes.append(len(response.content))
    warm = time.perf_counter() - started
    # The SQL of each page once warm (a process's first pages also read what it keeps: the
    # catalogue, the translations), in a pass of its own: capturing is not timed.
    queries = []
    for search, extra in zip(searches, extras, strict=True):
        with CaptureQueriesContext(connection) as captured:
            client.get(search.url, **extra)
        queries.append(len(captured.captured_queries))
    runs: list[list[float]] = [[] for _ in searches]
    for _ in range(args.distinct_repeat):
        for n, (search, extra) in enumerate(zip(searches, extras, strict=True)):
            began = time.perf_counter()
            client.get(search.url, **extra)
            runs[n].append((time.perf_counter() - began) * 1000)
    times = [statistics.median(r) for r in runs]
    overall = summary(times)

    print(
        f"\nDistinct searches: {count:,} meetings, {len(searches)} searches, page cache "
        f"{'off' if args.page_cache == '0' else args.page_cache + ' s'}: a warm-up pass "
        f"({warm:.0f} s), a pass counting SQL, then {args.distinct_repeat} timed pass(es) "
        "(a search's time: its median)"
    )
    print(f"{os.cpu_count()} CPUs, load average {load_average()}\n")
    header = (
        f"{'kind':<9} {'n':>4} {'median ms':>9} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'SQL min':>7} {'SQL max':>7} {'KB':>6} {'non-200':>7}"
    )
    print(header)
    print("-" * len(header))
    kinds = sorted({s.kind for s in searches}) + ["all"]
    by_kind = {}
    for kind in kinds:
        picked = [n for n, s in enumerate(searches) if kind in ("all", s.kind)]
        stats = summary([times[n] for n in picked])
        stats["queries"] = sorted({queries[n] for n in picked})
        stats["non_200"] = sum(statuses[n] != 200 for n in picked)
        by_kind[kind] = stats
        kb = statistics.median(sizes[n] for n in picked) / 1024
        print(
            f"{kind:<9} {stats['n']:>4} {stats['median']:>9.1f} {stats['p95']:>8.1f} "
            f"{stats['p99']:>8.1f} {stats['max']:>8.1f} {min(stats['queries']):>7} "
            f"{max(stats['queries']):>7} {kb:>6.1f} {stats['non_200']:>7}"
        )
    print("\nSQL per page by kind: queries (pages), an example of each but the commonest")
    for kind in kinds[:-1]:
        counts: dict[int, list] = {}
        for search, n in zip(searches, queries, strict=True):
            if search.kind == kind:
                counts.setdefault(n, []).append(search)
        common = max(counts, key=lambda n: len(counts[n]))
        print(f"  {kind}: " + ", ".join(f"{n} ({len(counts[n])})" for n in sorted(counts)))
        for n in sorted(counts):
            if n != common:
                print(f"      {n}: {counts[n][0].url}")
    ranked = sorted(zip(searches, times, strict=True), key=lambda item: item[1], reverse=True)
    print("\nSlowest distinct searches:")
    for search, ms in ranked[:5]:
        cookie = f"  (cookie tz={search.cookie_tz})" if search.cookie_tz else ""
        print(f"  {ms:7.1f} ms  {search.url}{cookie}")
    for search, status in zip(searches, statuses, strict=True):
        if status != 200:
            print(f"  HTTP {status}: {search.url}")
    if args.explain_slowest:
        path = Path(args.explain_file.format(count=count))
        explain_statements(client, ranked[: args.explain_slowest], path)
    overall["queries"] = by_kind["all"]["queries"]
    overall["non_200"] = by_kind["all"]["non_200"]
    return {
        "overall": overall,
        "kinds": by_kind,
        "times": times,
        "queries": queries,
        "statuses": statuses,
    }


def child(args) -> None:
    """One database, in this process: the app can be loaded on one database only."""
    if args.fresh:
        prepare_database(args.database_url, True)
    else:
        prepare_database(args.database_url, False)
    bootstrap(args.database_url, page_cache=args.page_cache)
    from django.test import Client

    count = fill(args.count or 0, args.seed, exact=args.exact)
    client = Client()
    out = {"meetings": count}
    if "fixed" in args.runs:
        pages = in_language(searches(), args.language)
        rows = [(label, measure(client, url, args.repeat)) for label, url in pages]
        print(f"Fixed pages in {args.language!r}.")
        print_table(rows, count, args.repeat)
        explain(rows, Path(EXPLAIN_FILE.format(count=count)))
        out["fixed"] = {
            label: {k: row[k] for k in ("url", "status", "median", "p95", "kb")}
            | {"queries": len(row["queries"])}
            for label, row in rows
        }
    if "distinct" in args.runs:
        out["distinct"] = run_distinct(args, client, count)
    Path(args.json_out).write_text(json.dumps(out))


def verdict_line(ok: bool | None, text: str) -> str:
    return f"  {'n/a ' if ok is None else 'PASS' if ok else 'MISS'}  {text}"


def report(args, results: dict[str, dict]) -> list[str]:
    """Both sizes side by side, and the budgets of issue 17."""
    lines = []
    labels = list(results)
    by_count = {r["meetings"]: r for r in results.values()}
    small = by_count[min(by_count)] if by_count else None
    large = by_count[max(by_count)] if by_count else None
    if "fixed" in args.runs and len(results) > 1:
        lines.append("\nFixed searches, median ms: " + " / ".join(labels))
        for label in large["fixed"]:
            medians = [results[k]["fixed"][label]["median"] for k in labels]
            growth = medians[-1] / medians[0] if medians[0] else 0
            lines.append(
                f"  {label:<26} " + "  ".join(f"{m:7.1f}" for m in medians) + f"   x{growth:.2f}"
            )
    if "distinct" not in args.runs:
        return lines
    header = (
        f"{'meetings':>9} {'n':>4} {'median ms':>9} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'SQL':>7} {'non-200':>7}"
    )
    lines += ["\nDistinct searches, one process, page cache "
              + ("off" if args.page_cache == "0" else f"{args.page_cache} s"), header,
              "-" * len(header)]  # fmt: skip
    for count in sorted(by_count):
        o = by_count[count]["distinct"]["overall"]
        sql = f"{min(o['queries'])}-{max(o['queries'])}"
        lines.append(
            f"{count:>9,} {o['n']:>4} {o['median']:>9.1f} {o['p95']:>8.1f} {o['p99']:>8.1f} "
            f"{o['max']:>8.1f} {sql:>7} {o['non_200']:>7}"
        )
    lines.append("\nBudgets (issue 17, distinct searches in one process):")
    big = by_count.get(100_000)
    if big:
        median = big["distinct"]["overall"]["median"]
        lines.append(
            verdict_line(
                median < DISTINCT_BUDGET_MS,
                f"median under {DISTINCT_BUDGET_MS:g} ms at 100,000: {median:.1f} ms",
            )
        )
    else:
        lines.append(verdict_line(None, "median under 8 ms at 100,000: 100,000 not measured"))
    if len(by_count) > 1:
        a, b = small["distinct"], large["distinct"]
        growth = b["overall"]["median"] / a["overall"]["median"]
        lines.append(
            verdict_line(
                growth <= GROWTH_BUDGET,
                f"median at {max(by_count):,} within {GROWTH_BUDGET}x of the median at "
                f"{min(by_count):,}: x{growth:.2f} ({b['overall']['median']:.1f} ms / "
                f"{a['overall']['median']:.1f} ms)",
            )
        )
        per_kind = ", ".join(
            f"{kind} x{b['kinds'][kind]['median'] / a['kinds'][kind]['median']:.2f}"
            for kind in a["kinds"]
            if kind != "all" and kind in b["kinds"]
        )
        lines.append(f"        by kind: {per_kind}")
        same = all(
            a["kinds"][k]["queries"] == b["kinds"][k]["queries"]
            for k in a["kinds"]
            if k in b["kinds"]
        )
        lines.append(
            f"        queries per page by kind the same at both sizes: {'yes' if same else 'no'}"
        )
    else:
        lines.append(verdict_line(None, "cost flat: needs two sizes"))
    non_200 = sum(r["distinct"]["overall"]["non_200"] for r in results.values())
    lines.append(
        verdict_line(not non_200, f"every distinct search answered 200 ({non_200} did not)")
    )
    return lines


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    print(f"{os.cpu_count()} CPUs, load average {load_average()} before the run", flush=True)
    if args.database_url:
        targets = [(urlsplit(args.database_url).path.lstrip("/"), args.database_url, args.count)]
    else:
        targets = [(f"{size:,}", database_url(args.base_url, size), size) for size in args.sizes]
    with tempfile.TemporaryDirectory() as tmp:
        searches_file = Path(tmp) / "searches.json"
        if "distinct" in args.runs:
            import dataclasses

            from searches import describe, generate, standard_values

            extra = (args.database_url,) if args.database_url else ()
            values = standard_values(args.base_url, extra)
            chosen = generate(values, args.distinct_count, args.searches_seed)
            print(describe(chosen), flush=True)
            searches_file.write_text(json.dumps([dataclasses.asdict(s) for s in chosen]))
        results = {}
        for label, url, count in targets:
            print(f"\n== {label} ({url.rsplit('/', 1)[-1]})", flush=True)
            out = Path(tmp) / f"{len(results)}.json"
            command = [PYTHON, __file__, "--child", "--database-url", url, "--json-out", str(out)]
            command += ["--seed", str(args.seed)]
            if count:  # a load database's size (exactly), or --count with --database-url
                command += ["--count", str(count)] + ([] if args.database_url else ["--exact"])
            command += ["--runs", *args.runs, "--repeat", str(args.repeat)]
            command += ["--distinct-repeat", str(args.distinct_repeat)]
            command += ["--language", args.language, "--page-cache", args.page_cache]
            command += ["--explain-slowest", str(args.explain_slowest)]
            command += ["--explain-file", args.explain_file, "--searches-file", str(searches_file)]
            if args.fresh and args.database_url:
                command.append("--fresh")
            subprocess.run(command, check=True)
            results[label] = json.loads(out.read_text())
    print("\n".join(report(args, results)))
    saved = ROOT / "bench" / "results"
    saved.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    (saved / f"search-{stamp}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
