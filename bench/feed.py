"""Meeting Guide feed benchmark (a script, not a test).

    .venv/bin/python bench/feed.py [--database-url postgres://…/recovery_directory_load_100000]

Uses the 100,000-meeting database bench/load.py builds (`make bench` first). Streams the whole
feed through Django's test client and prints its size, the time taken and the process's peak
memory, then asks again with If-None-Match and times the 304. Budget (the interop issue):
exporting 100,000 meetings stays under 300 MB of memory."""

import argparse
import resource
import time


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the Meeting Guide feed.")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/recovery_directory_load_100000",
    )
    args = parser.parse_args()
    from search import bootstrap  # bench/search.py, beside this script

    bootstrap(args.database_url)  # the app as gunicorn loads it, on that database
    from django.test import Client

    client = Client()
    start = time.perf_counter()
    response = client.get("/feeds/meeting-guide.json")
    size = sum(len(piece) for piece in response.streaming_content)
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    again = client.get("/feeds/meeting-guide.json", HTTP_IF_NONE_MATCH=response["ETag"])
    repeat = (time.perf_counter() - start) * 1000
    print(
        f"feed: {size / 1e6:.1f} MB in {took:.1f} s, peak memory {peak:.0f} MB "
        f"(budget 300 MB: {'PASS' if peak < 300 else 'FAIL'}); "
        f"repeat: HTTP {again.status_code} in {repeat:.0f} ms"
    )


if __name__ == "__main__":
    main()
