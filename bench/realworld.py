"""Every real published meeting list in ../shared/realworld/ through the importer, compared
with how TSML UI shows the same meetings (a script, not a test).

    .venv/bin/python bench/realworld.py [--dir ../shared/realworld] [--out docs/realworld.md]

Imports each file as its own source into a scratch SQLite database (never the project's),
without --skip-invalid; a refused file is then imported with it, so that what it holds can be
counted. Prints, per file: rows, created, mended (by kind), rejected (by reason), meetings by
attendance, meetings with no zone and where zones came from, and a field-by-field comparison
with TSML UI's reading (tests/tsmlui.py) of the JSON feeds: day, time, zone, attendance, street.

A source zone is given only where the publisher's own site gives TSML UI one (`data-timezone`:
TSML keeps one zone per site); every meeting with coordinates or a known town gets its own.
"""

import argparse
import collections
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# File -> (format, fellowship, the site's own zone or "").
SOURCES = {
    "airtable-2020.json": ("meeting-guide", "aa", "America/Los_Angeles"),
    "bmlt-italian-formats.json": ("bmlt", "na", ""),
    "bmlt-search-day2.json": ("bmlt", "na", "America/New_York"),
    "bmlt-search-day3.json": ("bmlt", "na", "America/New_York"),
    "bmlt-search-day4.json": ("bmlt", "na", "America/New_York"),
    "ny-intergroup-2015.txt": ("csv", "aa", "America/New_York"),
    "spec-readme-example.json": ("meeting-guide", "aa", "America/Los_Angeles"),
    "tsml-al-anon.json": ("meeting-guide", "aa", "America/New_York"),
    "tsml-ben-lomond-2021.json": ("meeting-guide", "aa", "America/Los_Angeles"),
    "tsml-eda.json": ("meeting-guide", "aa", ""),
    "tsml-edmonton.json": ("meeting-guide", "aa", "America/Edmonton"),
    "tsml-export-layout.csv": ("csv", "aa", ""),
    "tsml-kansas-city-2021.json": ("meeting-guide", "aa", "America/Chicago"),
    "tsml-nw-texas-2021.json": ("meeting-guide", "aa", "America/Chicago"),
    "tsml-orange-county.json": ("meeting-guide", "aa", "America/Los_Angeles"),
    "tsml-san-jose-2021.json": ("meeting-guide", "aa", "America/Los_Angeles"),
    "tsml-sepia.json": ("meeting-guide", "aa", "America/New_York"),
    "tsml-sf-marin-2021.json": ("meeting-guide", "aa", "America/Los_Angeles"),
    "tsml-sussex.json": ("meeting-guide", "aa", "America/New_York"),
    "tsml-template-excel-times.xlsx": ("xlsx", "aa", ""),
    "tsml-template.csv": ("csv", "aa", ""),
    "tsml-template.xlsx": ("xlsx", "aa", ""),
}
TSMLUI_PREFIX = "tsmlui-"  # TSML UI's own small cases: feeds, with the zone they are shown in
FIELDS = ("day", "time", "timezone", "attendance", "street")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default=str(ROOT.parent / "shared" / "realworld"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "realworld.md"))
    return parser.parse_args()


def setup():
    database = Path(tempfile.mkdtemp()) / "realworld.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery_directory.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ours(meeting) -> dict:
    place = meeting.location
    attendance = "inactive" if meeting.status != "active" else meeting.attendance
    held_in_person = attendance in ("in_person", "hybrid") and place is not None
    return {
        "day": meeting.day,
        "time": meeting.start_time.strftime("%H:%M") if meeting.start_time else "",
        "timezone": meeting.timezone,
        "attendance": attendance,
        "street": place.address if held_in_person else "",
    }


def same(field, theirs, mine) -> bool:
    from groups.importing.rows import fold

    if field == "street":
        return fold(theirs) == fold(mine)
    return theirs == mine


def compare(path: Path, zone: str, source) -> dict:
    """Field by field, TSML UI's reading of each entry against the meeting stored for it."""
    from groups.importing import parse
    from groups.importing.meeting_guide import load_json
    from groups.models import Meeting
    from tests import tsmlui

    entries = load_json(path.read_bytes(), "feed")
    parsed = parse("meeting-guide", path.read_bytes())
    stored = {
        m.source_key: m for m in Meeting.objects.filter(source=source).select_related("location")
    }
    by_ref = collections.defaultdict(list)
    for row in parsed.rows:
        by_ref[row.ref].append(row.key)
    agree = collections.Counter()
    differ = collections.defaultdict(list)
    compared = 0
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        theirs = tsmlui.read(entry, zone)
        mine = [stored[key] for key in by_ref.get(f"entry {index}", []) if key in stored]
        for expected, meeting in zip(theirs, mine, strict=False):
            compared += 1
            got = ours(meeting)
            for field in FIELDS:
                if same(field, expected[field], got[field]):
                    agree[field] += 1
                else:
                    differ[field].append(
                        (entry.get("slug") or entry.get("name"), expected[field], got[field])
                    )
    return {"compared": compared, "agree": agree, "differ": differ}


def run_file(path: Path, format: str, fellowship: str, zone: str) -> dict:
    from groups.importing import parse
    from groups.importing.save import Importer
    from groups.models import Fellowship, ImportSource, Meeting

    content = path.read_bytes()
    result = {"file": path.name, "format": format, "zone given": zone or "none"}
    try:
        parsed = parse(format, content)
    except ValueError as error:
        result["refused"] = str(error)
        return result
    source = ImportSource.objects.create(
        name=path.name, format=format, fellowship=Fellowship.objects.get(slug=fellowship)
    )
    started = time.perf_counter()
    report = Importer(source, parsed, default_timezone=zone).run()
    if report.refused:
        result["refused"] = report.refused
        parsed = parse(format, content)
        report = Importer(source, parsed, default_timezone=zone).run(skip_invalid=True)
    result["seconds"] = time.perf_counter() - started
    result["report"] = report
    meetings = Meeting.objects.filter(source=source)
    result["attendance"] = collections.Counter(
        f"{a}" if s == "active" else f"{a} ({s})"
        for a, s in meetings.values_list("attendance", "status")
    )
    result["no zone"] = meetings.filter(timezone="").count()
    if format == "meeting-guide":
        result["tsmlui"] = compare(path, zone, source)
    return result


def exports() -> list[str]:
    """Every imported meeting published again: each fellowship's spec feed and the mixed feed,
    each entry checked against the spec's README rules (tests/feedspec.py), and the CSV."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from groups.models import Fellowship, Meeting
    from tests import feedspec

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    lines = ["## Exports of everything imported", ""]
    listed = Meeting.objects.listed()
    for fellowship in Fellowship.objects.filter(meetings__in=listed).distinct().order_by("slug"):
        response = client.get(f"/feeds/{fellowship.slug}/meeting-guide.json")
        entries = json.loads(b"".join(response.streaming_content))
        broken = collections.Counter(p for e in entries for p in feedspec.problems(e))
        slugs = collections.Counter(e["slug"] for e in entries)
        twice = sum(1 for n in slugs.values() if n > 1)
        lines.append(
            f"- `/feeds/{fellowship.slug}/meeting-guide.json`: HTTP {response.status_code}, "
            f"{len(entries)} entries of {listed.filter(fellowship=fellowship).count()} listed "
            f"meetings; entries breaking the spec's rules: {sum(broken.values())}; slugs used "
            f"twice: {twice}"
        )
        lines += [f"  - {n}×: {problem}" for problem, n in broken.most_common(5)]
    response = client.get("/feeds/meeting-guide.json")
    mixed = json.loads(b"".join(response.streaming_content))
    lines.append(f"- `/feeds/meeting-guide.json` (mixed): {len(mixed)} entries")
    out = Path(tempfile.mkdtemp()) / "export.csv"
    call_command("export_meetings", "--format", "csv", "-o", str(out))
    with out.open(newline="") as file:
        rows = sum(1 for _ in csv.reader(file)) - 1
    lines.append(f"- `export_meetings --format csv`: {rows} meetings")
    lines.append("")
    return lines


def reasons(report) -> collections.Counter:
    return collections.Counter(f"{r.field}: {r.message}" for r in report.rejected)


def write(results, out: Path, exported: list[str]) -> str:
    lines = [
        "# Real published lists through the importer",
        "",
        "Made by `.venv/bin/python bench/realworld.py` from the files in `../shared/realworld/` "
        "(its README says where each comes from). Each file is imported as its own source "
        "into a scratch database, without `--skip-invalid`; the TSML UI columns compare each "
        "stored meeting with TSML UI's own reading of the entry (`tests/tsmlui.py`).",
        "",
        "Where the two readings differ, and why:",
        "",
        '- *Streets given without state or country* (airtable-2020: "110 Diamond St", '
        '"San Francisco", "94114"): TSML UI joins the fields into three comma parts and '
        "so reads a town; the importer keeps the street the publisher wrote (hybrid, not online).",
        "- *Zones from coordinates* (tsml-nw-texas-2021): TSML UI shows every meeting in the "
        "site's one zone; meetings whose coordinates are in Mountain Time get Mountain Time.",
        "- *No zone at all* (tsml-eda, an international list): TSML UI, told no zone, shows "
        "none of these meetings; the importer finds each one's zone from its place.",
        "- *Files no tool can read* (tsmlui-invalid: JSON cut off) are refused, with the line.",
        "- *BMLT format keys without the server's format list* (bmlt-italian-formats) are not "
        "guessed: BMLT's keys are per language; its world IDs are read when the list is there.",
        "",
    ]
    for result in results:
        lines.append(f"## {result['file']}")
        lines.append("")
        report = result.get("report")
        lines.append(f"- format {result['format']}, source zone given: {result['zone given']}")
        if result.get("refused"):
            lines.append(f"- **refused without --skip-invalid**: {result['refused']}")
        if report is None:
            lines.append("")
            continue
        counts = report.counts()
        lines.append(
            f"- rows {report.read}; created {counts['created']}; rejected {counts['rejected']}; "
            f"{result['seconds']:.1f} s"
        )
        kinds = report.mended_by_kind()
        if kinds:
            lines.append("- mended: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        for reason, n in reasons(report).most_common():
            lines.append(f"- rejected {n}×: {reason}")
        examples = [str(r) for r in report.rejected[:3]]
        if examples:
            lines.append("- for example: " + "; ".join(examples))
        lines.append(
            "- attendance: "
            + ", ".join(f"{k} {n}" for k, n in sorted(result["attendance"].items()))
        )
        found = ", ".join(f"{how} {n}" for how, n in sorted(report.zones_found.items()))
        lines.append(
            f"- meetings with no zone: {result['no zone']}; zones found from: {found or '-'}"
        )
        if report.unknown_types:
            unknown = ", ".join(f"{c} ({n})" for c, n in report.unknown_types.most_common(12))
            lines.append(f"- type codes this fellowship's vocabulary does not have: {unknown}")
        lines += [f"- {note}" for note in report.notes]
        tsml = result.get("tsmlui")
        if tsml:
            agree = ", ".join(
                f"{field} {tsml['agree'][field]}/{tsml['compared']}" for field in FIELDS
            )
            lines.append(f"- agrees with TSML UI: {agree}")
            for field in FIELDS:
                for slug, theirs, mine in tsml["differ"][field][:3]:
                    lines.append(f"  - {field} of {slug}: TSML UI {theirs!r}, stored {mine!r}")
        lines.append("")
    lines += exported
    text = "\n".join(lines)
    out.write_text(text)
    return text


def main():
    args = parse_args()
    folder = Path(args.dir)
    if not folder.is_dir():
        sys.exit(f"No folder {folder}: give --dir.")
    setup()
    results = []
    for path in sorted(folder.iterdir()):
        if path.name in SOURCES:
            format, fellowship, zone = SOURCES[path.name]
        elif path.name.startswith(TSMLUI_PREFIX) and path.suffix == ".json":
            format, fellowship, zone = "meeting-guide", "aa", "America/New_York"
        else:
            continue
        results.append(run_file(path, format, fellowship, zone))
        print(f"{path.name}: done", file=sys.stderr)
    print(write(results, Path(args.out), exports()))


if __name__ == "__main__":
    main()
