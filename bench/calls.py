"""Python function calls and CPU time per request, counted by cProfile (a script, not a test).

    .venv/bin/python bench/calls.py [--language es]
        [--database-url postgres://postgres@127.0.0.1:5432/recovery_directory_load_100000]

Reads the 100,000-meeting database bench/load.py builds (`make bench` first) with the page cache
off, and prints, for a few pages, the Python function calls a request makes and its CPU time
under the profiler. Unlike a time, the count does not change with the load on the machine: it
says how much Python work a change added or saved (docs/benchmarks.md, "The cost of the
languages")."""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/meetings/?day=1", "/meetings/?near=Denver&distance=25", "/meetings/"]


def main() -> None:
    parser = argparse.ArgumentParser(description="Count the Python calls of a few pages.")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/recovery_directory_load_100000",
    )
    parser.add_argument("--language", default="en", help="the pages' language (en, es, fr)")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="recovery_directory.settings",
        DATABASE_URL=args.database_url,
        DEBUG="false",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        PAGE_CACHE_SECONDS="0",
        DB_CONN_MAX_AGE="60",
    )
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    import django

    django.setup()
    from django.test import Client

    client = Client()
    prefix = "" if args.language == "en" else f"/{args.language}"
    for page in PAGES:
        url = prefix + page
        for _ in range(3):
            client.get(url)  # warm-up
        profile = cProfile.Profile()
        cpu = time.process_time()
        profile.enable()
        for _ in range(args.repeat):
            client.get(url)
        profile.disable()
        cpu = (time.process_time() - cpu) * 1000 / args.repeat
        calls = pstats.Stats(profile).total_calls / args.repeat
        print(f"{url:45} {calls:>9,.0f} calls a request  {cpu:6.1f} ms CPU (profiled)")


if __name__ == "__main__":
    main()
