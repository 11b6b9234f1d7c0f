"""Referral sheet PDF benchmark (a script, not a test).

    .venv/bin/python bench/referral_pdf.py [--meetings 150] [--repeat 10]
        [--database-url postgres://postgres@127.0.0.1:5432/recovery_directory_load_100000]

Uses the 100,000-meeting database bench/load.py builds (`make bench` first), takes the first N
meetings of a broad search in week order, and times the whole request for their PDF (search,
template, WeasyPrint) through Django's test client, with the page cache off so that every run
builds it. Budget (the referral issue): 150 meetings in under 2 seconds."""

import argparse
import os
import statistics
import time

BUDGET_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description="Time a referral sheet PDF.")
    parser.add_argument("--meetings", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/recovery_directory_load_100000",
    )
    args = parser.parse_args()
    from search import bootstrap  # bench/search.py, beside this script

    # Each run builds the PDF: with the page cache on, every run after the first in a minute
    # would time a cached copy instead.
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    bootstrap(args.database_url)  # the app as gunicorn loads it, on that database
    from django.test import Client

    from groups import referrals

    referrals.SHEET_LIMIT = args.meetings  # the sheet shows exactly N meetings
    client = Client()
    url = "/referrals/sheet.pdf?attendance=in_person&attendance=online&service=Bench+Clinic"
    response = client.get(url)  # warm-up
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    # The same sheet as a page: it lists exactly the meetings the PDF prints.
    listed = client.get(url.replace("/referrals/sheet.pdf", "/referrals/sheet/"))
    count = listed.text.count("data-meeting-slug")
    assert count == args.meetings, f"the sheet lists {count} meetings, not {args.meetings}"
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    median = statistics.median(times)
    print(
        f"{args.meetings} meetings, {pages} pages, {len(response.content) // 1024} KB: "
        f"median {median:.2f} s, slowest {max(times):.2f} s over {args.repeat} runs; "
        f"budget {BUDGET_S:.0f} s: {'PASS' if median < BUDGET_S else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
