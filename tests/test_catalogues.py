"""The translation catalogues are complete and current: every translatable string of the code
and templates is in each shipped language's catalogue, translated, not fuzzy, with the same
placeholders, and the compiled catalogue Django reads says the same as the one translators edit.
A string added to a template without its translation fails here, in CI, rather than showing in
English on a Spanish page."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
SHIPPED = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# The same options as `make messages`.
IGNORE = ["node_modules", "static", "staticfiles", "tests", "bench", "docs", "fixtures"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w+\}")


def entries(path: Path) -> dict[tuple[str, str], polib.POEntry]:
    return {(e.msgctxt or "", e.msgid): e for e in polib.pofile(str(path)) if not e.obsolete}


@pytest.fixture(scope="module")
def gathered(tmp_path_factory):
    """The catalogues as `make messages` would make them now, from the current sources: made in
    a copy of the project (its folders linked, its catalogues copied), so that the real ones
    are left as they are."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is needed (make gettext installs it)")
    root = tmp_path_factory.mktemp("project")
    for item in ROOT.iterdir():
        if item.name != "locale" and not item.name.startswith("."):
            (root / item.name).symlink_to(item)
    shutil.copytree(ROOT / "locale", root / "locale")
    here = os.getcwd()
    os.chdir(root)
    try:
        with override_settings(LOCALE_PATHS=[str(root / "locale")]):
            call_command(
                "makemessages",
                all=True,
                extensions=["html", "txt", "py"],
                ignore_patterns=IGNORE,
                no_obsolete=True,
                add_location="file",
                symlinks=True,
                verbosity=0,
            )
    finally:
        os.chdir(here)
    return root / "locale"


def test_the_languages_are_english_and_one_for_each_catalogue():
    on_disk = sorted(
        p.parent.parent.name for p in (ROOT / "locale").glob("*/LC_MESSAGES/django.po")
    )
    assert [code for code, _ in settings.LANGUAGES] == ["en", *on_disk]
    assert {"es", "fr"} <= set(on_disk)


@pytest.mark.parametrize("code", SHIPPED)
def test_every_string_of_the_sources_is_in_the_catalogue(gathered, code):
    now = entries(gathered / code / "LC_MESSAGES" / "django.po")
    kept = entries(ROOT / "locale" / code / "LC_MESSAGES" / "django.po")
    missing = sorted(set(now) - set(kept))
    stale = sorted(set(kept) - set(now))
    assert not missing, f"run `make messages` and translate: {missing[:20]}"
    assert not stale, f"strings no longer in the sources (run `make messages`): {stale[:20]}"


@pytest.mark.parametrize("code", SHIPPED)
def test_every_string_is_translated_and_none_is_fuzzy(code):
    path = ROOT / "locale" / code / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {code}: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {code}: {fuzzy[:20]}"
    assert len(catalogue) > 200  # a real catalogue, not an empty file


@pytest.mark.parametrize("code", SHIPPED)
def test_translations_keep_every_placeholder(code):
    wrong = []
    for entry in polib.pofile(str(ROOT / "locale" / code / "LC_MESSAGES" / "django.po")):
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
            # The singular may leave out the count ("Un meeting"), never add a placeholder.
            pairs[0] = (entry.msgid_plural, entry.msgstr_plural.get(0, ""))
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, text in pairs:
            found = set(PLACEHOLDER.findall(text))
            if entry.msgid_plural and text == entry.msgstr_plural.get(0):
                if not found <= set(PLACEHOLDER.findall(source)):
                    wrong.append((entry.msgid, text))
            elif found != set(PLACEHOLDER.findall(source)):
                wrong.append((entry.msgid, text))
    assert not wrong, wrong[:10]
    # GNU msgfmt's own check of python-format strings and headers.
    path = ROOT / "locale" / code / "LC_MESSAGES" / "django.po"
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("code", SHIPPED)
def test_the_compiled_catalogue_is_up_to_date(code):
    folder = ROOT / "locale" / code / "LC_MESSAGES"
    assert (folder / "django.mo").exists(), "run `make messages` to compile the catalogues"
    source = {
        (e.msgctxt or "", e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.pofile(str(folder / "django.po"))
        if e.translated() and not e.obsolete
    }
    compiled = {
        (e.msgctxt or "", e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.mofile(str(folder / "django.mo"))
        if e.msgid
    }
    assert compiled == source, "run `make messages`: django.mo differs from django.po"
