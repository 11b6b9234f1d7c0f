"""Import benchmark on PostgreSQL (a script, not a test).

    .venv/bin/python bench/import_feed.py [--count 10000]
        [--database-url postgres://postgres@127.0.0.1:5432/recovery_directory_import_bench]

Rebuilds a dedicated database, fills it with `manage.py generate_meetings`, exports a Meeting
Guide feed of exactly --count meetings (`export_meetings`, every fellowship), empties the
directory (meetings, groups, places, regions) and then times `import_meetings` three times:
into the empty directory, again with the same feed (everything unchanged), and once more with
a tenth of the meetings renamed and a fiftieth gone (updated and deactivated). Budget (the
import issue): 10,000 meetings imported in under 30 s.

The feed is TSML-shaped, as most real feeds are (REFERENCE §1): no `timezone` (each meeting's
zone is found from its coordinates or town, groups.importing.zones), `ONL` on every meeting
with a link, `formatted_address` in place of the separate fields, and none of this directory's
own fields; the site's one zone is given for the meetings with no place at all (as a TSML site
gives TSML UI its `data-timezone`). `--ours` imports the export as it is instead.
"""

import argparse
import io
import json
import resource
import tempfile
import time
from pathlib import Path

BUDGET_SECONDS = 30.0


OURS = ("timezone", "fellowship", "attendance", "status", "status_reason", "languages")


def tsml_shaped(entry: dict) -> dict:
    """Our export as TSML writes a feed: no zone, ONL beside a link, one address field."""
    entry = {key: value for key, value in entry.items() if key not in OURS}
    if entry.get("conference_url") or entry.get("conference_phone"):
        entry["types"] = [*entry.get("types", []), "ONL"]
    parts = [entry.pop(key, "") for key in ("address", "city", "state", "postal_code", "country")]
    entry["formatted_address"] = ", ".join(part for part in parts if part)
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description="Time importing a Meeting Guide feed.")
    parser.add_argument("--count", type=int, default=10_000, help="meetings in the feed")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/recovery_directory_import_bench",
    )
    parser.add_argument("--ours", action="store_true", help="keep our fields and zones")
    args = parser.parse_args()
    from search import bootstrap, prepare_database  # bench/search.py, beside this script

    prepare_database(args.database_url, fresh=True)
    bootstrap(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    # generate_meetings makes about 3% inactive, which a feed leaves out: make enough.
    call_command("generate_meetings", count=round(args.count * 1.06), seed=1, stdout=io.StringIO())
    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    feed = folder / "feed.json"
    call_command("export_meetings", "-o", str(feed))
    entries = json.loads(feed.read_text())[: args.count]
    if not args.ours:
        entries = [tsml_shaped(entry) for entry in entries]
    feed.write_text(json.dumps(entries))
    print(f"Feed: {len(entries)} meetings, {feed.stat().st_size / 1e6:.1f} MB ({feed}).")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE groups_meeting, groups_meeting_types, groups_meeting_languages, "
            "groups_group, groups_location, groups_region, groups_importsource, "
            "groups_importrun RESTART IDENTITY CASCADE"
        )
        cursor.execute("VACUUM ANALYZE")

    def timed(label: str) -> float:
        out = io.StringIO()
        started = time.perf_counter()
        call_command(
            "import_meetings",
            str(feed),
            "--format",
            "meeting-guide",
            "--fellowship",
            "aa",
            *([] if args.ours else ["--timezone", "America/New_York"]),
            stdout=out,
        )
        took = time.perf_counter() - started
        verdict = "PASS" if took < BUDGET_SECONDS else "FAIL"
        print(f"{label:<28} {took:6.1f} s  {verdict}  {out.getvalue().splitlines()[0]}")
        return took

    print(f"\n{'import':<28} {'time':>8}  budget {BUDGET_SECONDS:.0f} s")
    timed("into an empty directory")
    timed("again, unchanged")
    for n, entry in enumerate(entries):
        if n % 10 == 0:
            entry["name"] += " (renamed)"
    feed.write_text(json.dumps([e for n, e in enumerate(entries) if n % 50 != 1]))
    timed("10% renamed, 2% gone")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak memory of the process: {peak:.0f} MB.")


if __name__ == "__main__":
    main()
