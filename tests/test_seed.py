"""The fellowships and the Meeting Guide vocabulary exist in every database, from migrations."""

import pytest
from django.db import IntegrityError, transaction

from groups.models import Fellowship, Language, MeetingType, TypeVocabulary

pytestmark = pytest.mark.django_db

SLUGS = {
    "aa",
    "na",
    "ca",
    "ha",
    "pa",
    "nar-anon",
    "refuge-recovery",
    "smart-recovery",
    "lifering",
    "sos",
    "celebrate-recovery",
    "she-recovers",
}


def test_it_seeds_the_twelve_fellowships_with_their_slugs():
    assert set(Fellowship.objects.values_list("slug", flat=True)) == SLUGS


def test_it_describes_every_fellowship_with_a_site_and_an_approach():
    for fellowship in Fellowship.objects.all():
        assert fellowship.website.startswith("https://"), fellowship
        assert len(fellowship.description) > 80, fellowship
        assert fellowship.focus, fellowship


def test_it_records_the_facts_a_person_chooses_by():
    by_slug = {f.slug: f for f in Fellowship.objects.all()}
    assert by_slug["aa"].twelve_step and by_slug["aa"].spirituality == "spiritual"
    assert by_slug["smart-recovery"].is_secular
    assert by_slug["smart-recovery"].evidence_based_tools
    assert not by_slug["smart-recovery"].uses_labels
    assert by_slug["lifering"].is_secular and not by_slug["lifering"].twelve_step
    assert by_slug["sos"].is_secular
    assert by_slug["celebrate-recovery"].is_faith_based
    assert by_slug["celebrate-recovery"].faith == "Christian"
    assert by_slug["refuge-recovery"].faith == "Buddhist-inspired"
    assert not by_slug["refuge-recovery"].twelve_step
    assert by_slug["she-recovers"].audience == "women"
    assert by_slug["nar-anon"].audience == "family"


def test_it_lists_fellowships_alphabetically_without_ranking():
    names = list(Fellowship.objects.values_list("name", flat=True))
    assert names == sorted(names)


def test_it_seeds_all_87_meeting_guide_codes():
    vocabulary = TypeVocabulary.objects.get(slug="meeting-guide")
    assert vocabulary.types.count() == 87
    assert MeetingType.objects.get(vocabulary=vocabulary, code="TR").name == "Tradition Study"
    assert MeetingType.objects.get(vocabulary=vocabulary, code="TUR").name == "Turkish"
    assert MeetingType.objects.get(vocabulary=vocabulary, code="B").name == "Big Book"


def test_it_puts_every_type_in_a_category():
    categories = dict(MeetingType.objects.values_list("code", "category"))
    assert categories["X"] == "accessibility"
    assert categories["W"] == "community"
    assert categories["O"] == "format"
    assert categories["S"] == "language"
    assert categories["TC"] == "other"
    assert set(categories.values()) <= {c for c, _ in MeetingType.Category.choices}


def test_it_links_language_codes_to_first_class_languages():
    spanish = MeetingType.objects.get(vocabulary__slug="meeting-guide", code="S")
    assert spanish.language == Language.objects.get(code="es")
    asl = MeetingType.objects.get(vocabulary__slug="meeting-guide", code="ASL")
    assert asl.language.name == "American Sign Language"
    language_types = MeetingType.objects.filter(category="language")
    assert not language_types.filter(language=None).exists()


def test_it_keeps_codes_of_different_vocabularies_apart():
    bmlt = TypeVocabulary.objects.create(name="BMLT formats", slug="bmlt")
    beginners = MeetingType.objects.create(
        vocabulary=bmlt, code="B", name="Beginners", category="format"
    )
    assert beginners.pk != MeetingType.objects.get(vocabulary__slug="meeting-guide", code="B").pk
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingType.objects.create(vocabulary=bmlt, code="B", name="Again", category="format")


def test_it_gives_every_fellowship_a_type_vocabulary():
    assert not Fellowship.objects.filter(type_vocabulary=None).exists()
