"""Search latency benchmark on PostgreSQL (a script, not a test).

    .venv/bin/python bench/search.py [--count 100000] [--repeat 30] [--fresh] [--language es]
        [--database-url postgres://postgres@127.0.0.1:5432/recovery_directory_bench]

Creates (or reuses) a dedicated database, migrates it, tops it up to --count meetings with
`manage.py generate_meetings`, runs VACUUM ANALYZE, then times each search in-process with
django.test.Client: a warm-up, one run capturing its SQL, then --repeat timed runs.
Budget (the issue): with 100,000 meetings every search answers in under 50 ms at the median and
the page stays under 60 KB of HTML. EXPLAIN ANALYZE of the slowest SQL goes to EXPLAIN_FILE.
--language reads the pages in that language (/es/meetings/…), to measure what the translations
cost (docs/languages.md); the API has no language and is read as it is.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
EXPLAIN_FILE = Path("/tmp/recovery-directory-bench-explain.txt")
BUDGET_MS = 50.0
BUDGET_KB = 60.0
NEAR_CITY = "Denver"  # a city generate_meetings populates
WORD = "serenity"  # in many meeting and group names


def parse_args():
    parser = argparse.ArgumentParser(description="Time the meeting searches on PostgreSQL.")
    parser.add_argument("--count", type=int, default=100_000, help="meetings wanted")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/recovery_directory_bench",
        help="a PostgreSQL database used only by this benchmark",
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per search")
    parser.add_argument("--seed", type=int, default=1, help="generate_meetings seed")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--language", default="en", help="the pages' language (en, es, fr)")
    return parser.parse_args()


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


def bootstrap(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "recovery_directory.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")  # as .env.example recommends
    # Load the app as gunicorn does (settings, and the garbage collector tuning in wsgi.py).
    import recovery_directory.wsgi  # noqa: F401


def fill(count: int, seed: int) -> int:
    from django.core.management import call_command
    from django.db import connection

    from groups.models import Meeting

    call_command("migrate", verbosity=0)
    have = Meeting.objects.count()
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
    print(f"\n{count:,} meetings, PostgreSQL, {repeat} runs each after a warm-up")
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


def explain(rows: list[tuple[str, dict]]) -> None:
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
    EXPLAIN_FILE.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) written to {EXPLAIN_FILE}")


def main() -> None:
    args = parse_args()
    prepare_database(args.database_url, args.fresh)
    bootstrap(args.database_url)
    from django.test import Client

    count = fill(args.count, args.seed)
    client = Client()
    pages = in_language(searches(), args.language)
    rows = [(label, measure(client, url, args.repeat)) for label, url in pages]
    print(f"Pages in {args.language!r}.")
    print_table(rows, count, args.repeat)
    explain(rows)


if __name__ == "__main__":
    main()
