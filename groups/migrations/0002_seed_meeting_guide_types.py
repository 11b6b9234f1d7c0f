"""Seeds the Meeting Guide type vocabulary (code4recovery spec, data/types.json) and languages.

The data is written out here, not imported, so that this migration means the same thing forever.
"""

from django.db import migrations

LANGUAGES = [
    ("af", "Afrikaans"),
    ("am", "Amharic"),
    ("ar", "Arabic"),
    ("ase", "American Sign Language"),
    ("bfi", "British Sign Language"),
    ("bg", "Bulgarian"),
    ("cy", "Welsh"),
    ("da", "Danish"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("es", "Spanish"),
    ("fa", "Persian"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("gd", "Scottish Gaelic"),
    ("he", "Hebrew"),
    ("hi", "Hindi"),
    ("hr", "Croatian"),
    ("hu", "Hungarian"),
    ("is", "Icelandic"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("ka", "Georgian"),
    ("ko", "Korean"),
    ("lt", "Lithuanian"),
    ("ml", "Malayalam"),
    ("mt", "Maltese"),
    ("ne", "Nepali"),
    ("nl", "Dutch"),
    ("no", "Norwegian"),
    ("pa", "Punjabi"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ru", "Russian"),
    ("sk", "Slovak"),
    ("sl", "Slovenian"),
    ("sv", "Swedish"),
    ("th", "Thai"),
    ("tl", "Tagalog"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
]

F, C, A, L, O = "format", "community", "accessibility", "language", "other"

# (code, English name, category, language code or None). All 87 codes of the spec.
MEETING_GUIDE_TYPES = [
    ("11", "11th Step Meditation", F, None),
    ("12x12", "12 Steps & 12 Traditions", F, None),
    ("A", "Secular", F, None),
    ("ABSI", "As Bill Sees It", F, None),
    ("AF", "Afrikaans", L, "af"),
    ("AL", "Concurrent with Alateen", O, None),
    ("AL-AN", "Concurrent with Al-Anon", O, None),
    ("AM", "Amharic", L, "am"),
    ("AR", "Arabic", L, "ar"),
    ("ASL", "American Sign Language", A, "ase"),
    ("B", "Big Book", F, None),
    ("BA", "Babysitting Available", A, None),
    ("BE", "Newcomer", F, None),
    ("BG", "Bulgarian", L, "bg"),
    ("BI", "Bisexual", C, None),
    ("BRK", "Breakfast", O, None),
    ("C", "Closed", F, None),
    ("CAN", "Candlelight", O, None),
    ("CF", "Child-Friendly", A, None),
    ("D", "Discussion", F, None),
    ("DA", "Danish", L, "da"),
    ("DB", "Digital Basket", O, None),
    ("DD", "Dual Diagnosis", C, None),
    ("DE", "German", L, "de"),
    ("DR", "Daily Reflections", F, None),
    ("EL", "Greek", L, "el"),
    ("EN", "English", L, "en"),
    ("FA", "Persian", L, "fa"),
    ("FI", "Finnish", L, "fi"),
    ("FF", "Fragrance Free", A, None),
    ("FR", "French", L, "fr"),
    ("G", "Gay", C, None),
    ("GR", "Grapevine", F, None),
    ("H", "Birthday", F, None),
    ("HE", "Hebrew", L, "he"),
    ("HI", "Hindi", L, "hi"),
    ("HR", "Croatian", L, "hr"),
    ("HU", "Hungarian", L, "hu"),
    ("IS", "Icelandic", L, "is"),
    ("ITA", "Italian", L, "it"),
    ("JA", "Japanese", L, "ja"),
    ("KA", "Georgian", L, "ka"),
    ("KOR", "Korean", L, "ko"),
    ("L", "Lesbian", C, None),
    ("LGBTQ", "LGBTQ", C, None),
    ("LIT", "Literature", F, None),
    ("LS", "Living Sober", F, None),
    ("LT", "Lithuanian", L, "lt"),
    ("M", "Men", C, None),
    ("MED", "Meditation", F, None),
    ("ML", "Malayalam", L, "ml"),
    ("MT", "Maltese", L, "mt"),
    ("N", "Native American", C, None),
    ("NB", "Non-Binary", C, None),
    ("NDG", "Indigenous", C, None),
    ("NE", "Nepali", L, "ne"),
    ("NL", "Dutch", L, "nl"),
    ("NO", "Norwegian", L, "no"),
    ("O", "Open", F, None),
    ("OUT", "Outdoor", O, None),
    ("P", "Professionals", C, None),
    ("POA", "Proof of Attendance", O, None),
    ("POC", "People of Color", C, None),
    ("POL", "Polish", L, "pl"),
    ("POR", "Portuguese", L, "pt"),
    ("PUN", "Punjabi", L, "pa"),
    ("RUS", "Russian", L, "ru"),
    ("S", "Spanish", L, "es"),
    ("SEN", "Seniors", C, None),
    ("SK", "Slovak", L, "sk"),
    ("SL", "Slovenian", L, "sl"),
    ("SM", "Smoking Permitted", O, None),
    ("SP", "Speaker", F, None),
    ("ST", "Step Study", F, None),
    ("SV", "Swedish", L, "sv"),
    ("T", "Transgender", C, None),
    ("TC", "Location Temporarily Closed", O, None),
    ("TH", "Thai", L, "th"),
    ("TL", "Tagalog", L, "tl"),
    ("TR", "Tradition Study", F, None),
    ("TUR", "Turkish", L, "tr"),
    ("UK", "Ukrainian", L, "uk"),
    ("W", "Women", C, None),
    ("X", "Wheelchair Access", A, None),
    ("XB", "Wheelchair-Accessible Bathroom", A, None),
    ("XT", "Cross Talk Permitted", F, None),
    ("Y", "Young People", C, None),
]


def seed(apps, schema_editor):
    Language = apps.get_model("groups", "Language")
    TypeVocabulary = apps.get_model("groups", "TypeVocabulary")
    MeetingType = apps.get_model("groups", "MeetingType")

    languages = {}
    for code, name in LANGUAGES:
        languages[code], _ = Language.objects.get_or_create(code=code, defaults={"name": name})

    vocabulary, _ = TypeVocabulary.objects.get_or_create(
        slug="meeting-guide",
        defaults={
            "name": "Meeting Guide",
            "description": (
                "The type codes of the Meeting Guide feed specification (code4recovery), "
                "used by AA's Meeting Guide app, TSML and many Twelve Step directories."
            ),
        },
    )
    for code, name, category, language in MEETING_GUIDE_TYPES:
        MeetingType.objects.get_or_create(
            vocabulary=vocabulary,
            code=code,
            defaults={
                "name": name,
                "category": category,
                "language": languages[language] if language else None,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("groups", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
