"""Distinct realistic searches of /meetings/, the same list for every size (issue 17).

    .venv/bin/python bench/searches.py [--count 300] [--seed 1] [--print 20] [--check]
        [--database-url postgres://postgres@127.0.0.1:5432/recovery_directory_load_1000]

A deterministic (seeded) generator of distinct search addresses, shared by bench/load.py (wrk
rotates over them) and bench/search.py (timed one by one in one process). Each combines what
people search by, with the parameter names and values of groups/filters.py: day (0-6, today,
tomorrow), fellowship, attendance, time of day, soon, a place (near=<city>, with or without
distance=), words (q=), type, meeting language, page (1-4), sort (upcoming, time, name; distance
with a place), the viewer's zone (?tz=, or the tz cookie the page's script sets) and the page's
language (/es/, /fr/ or none). The values are read from the databases (fellowships, type codes,
type names, cities, languages and words that meetings there use) and kept only where every
database given holds them: generate_meetings makes the same cities and fellowships whatever the
count, so the list is the same at 1,000 and at 100,000 meetings (its fingerprint is printed to
prove it). A longer list starts with the shorter one (the first 300 of 3,000 are the 300).

--check asks every address of the list of Django's test client in one process (page cache
off) against --database-url (by default the 1,000 database) and counts the answers that are not
200; it prints how many it checked and exits 1 if any failed.
"""

import argparse
import dataclasses
import hashlib
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = "postgres://postgres@127.0.0.1:5432/"
SIZES = (1000, 100_000)  # the databases bench/load.py fills; the list is drawn from both

# Zones viewers read times in: those of the directory's meetings (read from the databases) and a
# few from elsewhere (a traveller, a person abroad looking up home).
ABROAD_ZONES = ["Europe/Paris", "Europe/Madrid", "Asia/Tokyo", "America/Mexico_City", "UTC"]
# Words people type, kept where the directory's meetings hold them (checked in every database):
# themes of meeting names, what a meeting is, venues, and languages typed as words.
WORD_CANDIDATES = [
    "serenity", "big book", "step study", "just for today", "living clean", "hope", "freedom",
    "keep it simple", "came to believe", "easy does it", "daily reflections", "promises",
    "back to basics", "miracles", "new beginnings", "courage", "refuge", "mindful", "smart",
    "lifering", "celebrate", "sobriety", "circle", "family", "women", "men", "speaker",
    "newcomer", "beginners", "meditation", "literature", "young people", "lgbtq", "breakfast",
    "candlelight", "library", "church", "community centre", "hall", "online", "spanish",
    "español", "polski", "français", "french", "mujeres", "wheelchair",
]  # fmt: skip
DISTANCES = ["2", "5", "10", "15", "25", "50", "100"]
TIMES = ["morning", "midday", "evening", "night"]
ATTENDANCES = ["in_person", "online", "hybrid"]
BIG_FELLOWSHIPS = {"aa", "na", "smart-recovery"}  # enough meetings for four pages at 1,000
KINDS = [("browse", 10), ("filters", 35), ("near", 30), ("words", 15), ("soon", 10)]
# The form's order of parameters, as a browser submits it (then page, as pagination adds it).
ORDER = [
    "q", "fellowship", "day", "time", "soon", "attendance", "type", "language", "near",
    "distance", "unit", "sort", "tz", "page",
]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Search:
    url: str  # path and query, with the language prefix
    kind: str  # browse, filters, near, words or soon: what its page reads
    cookie_tz: str = ""  # the viewer's zone as the tz cookie instead of ?tz=

    def cookie(self) -> str:
        """The Cookie header's value, or ""."""
        return f"tz={self.cookie_tz}" if self.cookie_tz else ""


@dataclasses.dataclass(frozen=True)
class Values:
    fellowships: tuple[str, ...]
    types: tuple[str, ...]
    cities: tuple[str, ...]
    languages: tuple[str, ...]
    zones: tuple[str, ...]
    words: tuple[str, ...]


def database_url(base: str, size: int) -> str:
    return f"{base.rstrip('/')}/recovery_directory_load_{size}"


def read_values(url: str) -> dict[str, set[str]]:
    """What one database's meetings use (listed meetings only: a search shows no other)."""
    import psycopg

    listed = "m.status IN ('active', 'temporarily_closed')"
    with psycopg.connect(url) as conn:

        def column(sql: str, *params) -> set[str]:
            return {row[0] for row in conn.execute(sql, params).fetchall() if row[0]}

        found = {
            "fellowships": column(
                "SELECT DISTINCT f.slug FROM groups_meeting m JOIN groups_fellowship f "
                f"ON f.id = m.fellowship_id WHERE {listed}"
            ),
            # Type codes with at least 3 meetings: a type somebody would pick from the list.
            "types": column(
                "SELECT t.code FROM groups_meeting_types mt JOIN groups_meetingtype t "
                "ON t.id = mt.meetingtype_id JOIN groups_meeting m ON m.id = mt.meeting_id "
                f"WHERE {listed} GROUP BY t.code HAVING count(*) >= 3"
            ),
            "cities": column(
                "SELECT DISTINCT r.name FROM groups_region r JOIN groups_location l "
                "ON l.region_id = r.id JOIN groups_meeting m ON m.location_id = l.id "
                f"WHERE r.kind = 'area' AND {listed}"
            ),
            "languages": column(
                "SELECT l.code FROM groups_meeting_languages ml JOIN groups_language l "
                "ON l.id = ml.language_id JOIN groups_meeting m ON m.id = ml.meeting_id "
                f"WHERE {listed} AND l.code <> 'en' GROUP BY l.code HAVING count(*) >= 3"
            ),
            "zones": column(f"SELECT DISTINCT m.timezone FROM groups_meeting m WHERE {listed}"),
        }
        words = set()
        for word in WORD_CANDIDATES:
            hit = conn.execute(
                f"SELECT 1 FROM groups_meeting m WHERE {listed} AND m.search_text ILIKE %s LIMIT 1",
                [f"%{word}%"],
            ).fetchone()
            if hit:
                words.add(word)
        found["words"] = words
        # A city whose name is also another region's (Victoria: a state and a city) is left
        # out: which one "near" finds is not what this benchmark is about.
        twice = column("SELECT name FROM groups_region GROUP BY name HAVING count(*) > 1")
    found["cities"] -= twice
    return found


def values(urls: list[str]) -> Values:
    """The values present in every one of these databases, sorted (so the list depends only on
    what they hold, not on the order they were read in)."""
    common: dict[str, set[str]] | None = None
    for url in urls:
        found = read_values(url)
        common = found if common is None else {k: common[k] & found[k] for k in common}
    if not common:
        sys.exit("No database to read the searches' values from.")
    order = {word: n for n, word in enumerate(WORD_CANDIDATES)}
    return Values(
        fellowships=tuple(sorted(common["fellowships"])),
        types=tuple(sorted(common["types"])),
        cities=tuple(sorted(common["cities"])),
        languages=tuple(sorted(common["languages"])),
        zones=tuple(sorted(common["zones"] | set(ABROAD_ZONES))),
        words=tuple(sorted(common["words"], key=order.__getitem__)),
    )


def standard_values(base: str = BASE_URL, extra: tuple[str, ...] = ()) -> Values:
    """The values of the load databases that exist (both, normally), and of any other given."""
    import psycopg

    urls = []
    for url in [database_url(base, size) for size in SIZES] + list(extra):
        try:
            with psycopg.connect(url) as conn:
                conn.execute("SELECT 1 FROM groups_meeting LIMIT 1")
        except psycopg.Error:
            continue
        if url not in urls:
            urls.append(url)
    return values(urls)


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


def _day(rng: random.Random) -> list[str]:
    roll = rng.random()
    if roll < 0.25:
        return ["today"]
    if roll < 0.35:
        return ["tomorrow"]
    if roll < 0.42:
        return ["6", "0"]  # the weekend
    return [str(rng.randrange(7))]


def _one(rng: random.Random, v: Values) -> Search:
    params: dict[str, list[str]] = {}
    kind = _weighted(rng, KINDS)

    def some_filters(most: int) -> None:
        """Up to `most` of the filters people pick from the form."""
        options = ["day", "fellowship", "attendance", "time", "type", "language"]
        weights = [40, 30, 20, 15, 10, 4]
        for _ in range(rng.randint(1, most)):
            name = rng.choices(options, weights=weights)[0]
            if name in params:
                continue
            if name == "day":
                params["day"] = _day(rng)
            elif name == "fellowship":
                params["fellowship"] = rng.sample(v.fellowships, 2 if rng.random() < 0.1 else 1)
            elif name == "attendance":
                params["attendance"] = [rng.choice(ATTENDANCES)]
            elif name == "time":
                params["time"] = [rng.choice(TIMES)]
            elif name == "type":
                params["type"] = rng.sample(v.types, 2 if rng.random() < 0.2 else 1)
            elif name == "language" and v.languages:
                params["language"] = [rng.choice(v.languages)]

    if kind == "browse":
        if rng.random() < 0.6:
            params["day"] = _day(rng)
    elif kind == "filters":
        some_filters(3)
    elif kind == "near":
        params["near"] = [rng.choice(v.cities)]
        if rng.random() < 0.6:
            params["distance"] = [rng.choice(DISTANCES)]
            if rng.random() < 0.15:
                params["unit"] = [rng.choice(["km", "mi"])]
        if rng.random() < 0.7:
            some_filters(2)
        if rng.random() < 0.35:
            params["sort"] = [rng.choice(["distance", "distance", "time", "name", "upcoming"])]
    elif kind == "words":
        params["q"] = [rng.choice(v.words)]
        if rng.random() < 0.35:
            params["near"] = [rng.choice(v.cities)]
        elif rng.random() < 0.4:
            some_filters(1)
    else:  # soon
        params["soon"] = [rng.choice(["2", "4"])]
        roll = rng.random()
        if roll < 0.4:
            params["near"] = [rng.choice(v.cities)]
        elif roll < 0.6:
            params["attendance"] = ["online"]
        elif roll < 0.8:
            params["fellowship"] = [rng.choice(v.fellowships)]
    if kind not in ("near", "words") and "sort" not in params and rng.random() < 0.15:
        params["sort"] = [rng.choice(["time", "name", "upcoming"])]
    cookie = ""
    roll = rng.random()
    if roll < 0.4:
        params["tz"] = [rng.choice(v.zones)]
    elif roll < 0.55:
        cookie = rng.choice(v.zones)
    # Later pages of the broad searches only (a day, the big fellowships): a narrower one has
    # fewer than 26 meetings at 1,000, and a page past the end is a different (cheaper) page.
    narrowing = {"near", "q", "type", "language", "time", "soon"} & set(params)
    broad = set(params.get("fellowship", ["aa"])) <= BIG_FELLOWSHIPS
    if not narrowing and broad and params.get("attendance") != ["hybrid"]:
        page = _weighted(rng, [(1, 60), (2, 20), (3, 12), (4, 8)])
        if page > 1:
            params["page"] = [str(page)]
    language = _weighted(rng, [("", 70), ("es", 15), ("fr", 15)])
    query = urlencode([(k, value) for k in ORDER for value in params.get(k, [])])
    prefix = f"/{language}" if language else ""
    url = f"{prefix}/meetings/" + (f"?{query}" if query else "")
    return Search(url=url, kind=kind, cookie_tz=cookie)


def generate(v: Values, count: int, seed: int = 1) -> list[Search]:
    """`count` distinct searches; the same values and seed give the same list, and a longer
    list begins with a shorter one."""
    rng = random.Random(seed)
    seen: set[tuple[str, str]] = set()
    out: list[Search] = []
    tries = 0
    while len(out) < count:
        tries += 1
        if tries > count * 50:
            sys.exit(f"Only {len(out)} distinct searches could be made.")
        search = _one(rng, v)
        key = (search.url, search.cookie_tz)
        if key not in seen:
            seen.add(key)
            out.append(search)
    return out


def fingerprint(searches: list[Search]) -> str:
    digest = hashlib.sha256()
    for s in searches:
        digest.update(f"{s.url}\t{s.cookie_tz}\n".encode())
    return digest.hexdigest()[:12]


def describe(searches: list[Search]) -> str:
    kinds: dict[str, int] = {}
    for s in searches:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    zones = sum("tz=" in s.url for s in searches)
    cookies = sum(bool(s.cookie_tz) for s in searches)
    languages = {p: sum(s.url.startswith(f"/{p}/") for s in searches) for p in ("es", "fr")}
    return (
        f"{len(searches)} distinct searches (fingerprint {fingerprint(searches)}): "
        + ", ".join(f"{n} {k}" for k, n in kinds.items())
        + f"; {zones} with ?tz=, {cookies} with the tz cookie; "
        + f"{languages['es']} in Spanish, {languages['fr']} in French"
    )


def check(searches: list[Search]) -> list[tuple[Search, int]]:
    """Every search through Django's test client in this process (bootstrapped by the caller);
    the ones that do not answer 200."""
    from django.test import Client

    client = Client()
    failed = []
    for s in searches:
        extra = {"HTTP_COOKIE": s.cookie()} if s.cookie_tz else {}
        status = client.get(s.url, **extra).status_code
        if status != 200:
            failed.append((s, status))
    return failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base-url", default=BASE_URL, help="where the load databases are")
    parser.add_argument("--print", type=int, default=20, metavar="N", help="show the first N")
    parser.add_argument("--check", action="store_true", help="ask each of the test client")
    parser.add_argument("--database-url", default=database_url(BASE_URL, 1000))
    args = parser.parse_args()
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}")
    v = standard_values(args.base_url)
    print(
        f"Values: {len(v.fellowships)} fellowships, {len(v.types)} types, {len(v.cities)} cities, "
        f"{len(v.languages)} languages, {len(v.zones)} zones, {len(v.words)} words"
    )
    searches = generate(v, args.count, args.seed)
    print(describe(searches))
    for s in searches[: args.print]:
        print(f"  {s.kind:<8} {s.url}" + (f"   (cookie tz={s.cookie_tz})" if s.cookie_tz else ""))
    if not args.check:
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from search import bootstrap

    bootstrap(args.database_url, page_cache="0")
    started = time.perf_counter()
    failed = check(searches)
    seconds = time.perf_counter() - started
    print(
        f"\nChecked {len(searches)} searches against {args.database_url.rsplit('/', 1)[-1]} "
        f"in {seconds:.0f} s: {len(searches) - len(failed)} answered 200, {len(failed)} did not."
    )
    for s, status in failed[:50]:
        print(f"  {status} {s.url}" + (f" (cookie tz={s.cookie_tz})" if s.cookie_tz else ""))
    print("PASS: every search answers 200" if not failed else "MISS: some searches fail")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
