"""Every public page, the referral sheet and its PDF, read in Spanish and in French, keep no
English string of the catalogue: each page is rendered in English and in the other language,
and a string the catalogue translates that shows as often in the other language as in English
was left untranslated (data such as a meeting's name is the same in both, so it cancels out)."""

import datetime
import io
import json
import re
from html.parser import HTMLParser

import polib
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from pypdf import PdfReader

from groups.models import Meeting

pytestmark = pytest.mark.django_db

# Thursday 4 December 2025, 18:30 in Edinburgh: meetings in progress, later today and closed.
NOW = datetime.datetime(2025, 12, 4, 18, 30, tzinfo=datetime.UTC)
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "value", "content", "data-label")


class Text(HTMLParser):
    """What a reader reads: text (not script or style), the attributes read aloud or shown,
    and the strings of the page's JSON catalogue for its script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.json = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
            self.json = attrs.get("type") == "application/json"
        sent = ("hidden", "checkbox", "radio", "text", "search")
        if tag == "option" or (tag == "input" and attrs.get("type") in sent):
            attrs.pop("value", None)  # values sent, not read
        for name in ATTRIBUTES:
            if attrs.get(name) and not (
                name == "content" and tag == "meta" and "name" not in attrs
            ):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
            self.json = False

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)
        elif self.json and data.strip():
            self.parts.extend(strings_of(json.loads(data)))


def strings_of(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_of(item)


def read(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def pieces(code: str) -> list[tuple[str, re.Pattern]]:
    """The English of each translated catalogue string, as the parts a page shows whole: the
    text between its placeholders and tags, of two words or more, or a single word shown
    alone. Strings whose translation contains the English (names, "OK") are left out."""
    found = []
    catalogue = polib.pofile(str(settings.BASE_DIR / "locale" / code / "LC_MESSAGES" / "django.po"))
    for entry in catalogue.translated_entries():
        translations = [entry.msgstr, *entry.msgstr_plural.values()]
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            for part in re.split(r"%\(\w+\)[sdif]|%[sdif]|\{\w+\}|<[^>]+>", source):
                part = " ".join(part.split()).strip(" .,:;·–—()“”\"'?!")
                words = re.findall(r"[A-Za-z]{2,}", part)
                if not words or any(part.casefold() in t.casefold() for t in translations):
                    continue
                if len(words) >= 2:
                    found.append((part, re.compile(rf"(?<!\w){re.escape(part)}(?!\w)")))
                elif len(part) >= 4:
                    # One word: only where it stands alone between other text's edges.
                    found.append((part, re.compile(rf"(?:^|  |\| ){re.escape(part)}(?:$|  | \|)")))
    return found


def same_in_both(code: str) -> set[str]:
    """Listings' words that read the same in English and in the language (the spec's Spanish
    for the type Secular is "Secular"): data, not the catalogue's."""
    from groups.models import MeetingType
    from groups.translations import translated

    return {
        t.name.casefold()
        for t in MeetingType.objects.all()
        if translated(t, "name", code) == t.name
    }


def words_left(english: str, other: str, code: str) -> list[str]:
    left = []
    data = same_in_both(code)
    for part, pattern in pieces(code):
        if part.casefold() in data:
            continue
        shown = len(pattern.findall(english))
        if shown and len(pattern.findall(other)) >= shown:
            left.append(part)
    return sorted(set(left))


def as_parts(html: str) -> str:
    """The reader's text with each part kept apart ("  " between), for single words."""
    parser = Text()
    parser.feed(html)
    return "  ".join(" ".join(p.split()) for p in parser.parts if p.strip())


@pytest.fixture
def demo():
    call_command("loaddata", "demo", verbosity=0)


def pages() -> list[str]:
    """Every kind of public page, from the demo's own listings."""
    active = Meeting.objects.filter(status="active", attendance="in_person").order_by("pk")
    women = active.filter(types__code="W").first()
    closed = Meeting.objects.filter(status="temporarily_closed").order_by("pk").first()
    gone = Meeting.objects.filter(status="inactive").order_by("pk").first()
    online = Meeting.objects.filter(status="active", attendance="online").order_by("pk").first()
    hybrid = Meeting.objects.filter(status="active", attendance="hybrid").order_by("pk").first()
    return [
        "/",
        "/meetings/",
        "/meetings/?q=women",
        "/meetings/?near=Glasgow&day=today&attendance=in_person",
        "/meetings/?near=Edinburgh&sort=distance",
        "/meetings/?day=2&fellowship=smart-recovery",
        "/meetings/?q=zzzzqqqq",  # nothing found: widenings
        "/meetings/?near=Edinburgh&soon=2&type=XB&type=BA",  # the hard hour
        "/meetings/?near=Nowhereville",  # a place not known: the 400 page
        "/meetings/?view=map&near=Edinburgh",
        "/meetings/?page=2",
        f"/meetings/{women.slug}/",
        f"/meetings/{closed.slug}/",
        f"/meetings/{online.slug}/",
        f"/meetings/{hybrid.slug}/",
        f"/meetings/{gone.slug}/",
        f"/meetings/{women.slug}/correction/",
        "/meetings/new/",
        "/corrections/sent/",
        "/fellowships/",
        "/fellowships/?near=Edinburgh",
        "/fellowships/aa/",
        "/fellowships/smart-recovery/",
        "/referrals/",
        "/referrals/sheet/?near=Edinburgh",
        "/time-zone/",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("code", ["es", "fr"])
def test_every_public_page_reads_in_the_language_with_no_english_left(client, demo, code):
    client.cookies["tz"] = "Europe/London"
    problems = {}
    with time_machine.travel(NOW, tick=False):
        for page in pages():
            english = client.get(page)
            other = client.get(f"/{code}{page}")
            assert other.status_code == english.status_code, page
            assert f'<html lang="{code}"' in other.text, page
            left = words_left(as_parts(english.text), as_parts(other.text), code)
            if left:
                problems[page] = left
    assert not problems, problems


@pytest.mark.parametrize("code", ["es", "fr"])
def test_the_referral_pdf_reads_in_the_language_with_no_english_left(client, demo, code):
    def text(params):
        response = client.get("/referrals/sheet.pdf", params)
        assert response.status_code == 200
        pdf = PdfReader(io.BytesIO(response.content))
        return "  ".join(
            "  ".join(line.strip() for line in page.extract_text().splitlines())
            for page in pdf.pages
        )

    with time_machine.travel(NOW, tick=False):
        english = text({"near": "Edinburgh"})
        other = text({"near": "Edinburgh", "lang": code})
    assert not words_left(english, other, code)
