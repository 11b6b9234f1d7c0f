"""Seeds the twelve fellowships the directory starts with (shared/REFERENCE.md §4).

Descriptions are ours, plain and neutral, written so that a person can see which might suit them.
Slugs appear in URLs and commands and must not change.
"""

from django.db import migrations

FELLOWSHIPS = [
    {
        "slug": "aa",
        "name": "Alcoholics Anonymous",
        "short_name": "AA",
        "website": "https://www.aa.org/",
        "focus": "Alcohol",
        "twelve_step": True,
        "spirituality": "spiritual",
        "uses_labels": True,
        "description": (
            "Members share their experience and work through the Twelve Steps together, "
            "relying on a higher power of each person's own understanding. The only requirement "
            "for membership is a desire to stop drinking. Meetings are free and self-supporting."
        ),
    },
    {
        "slug": "na",
        "name": "Narcotics Anonymous",
        "short_name": "NA",
        "website": "https://na.org/",
        "focus": "Any drug, including alcohol",
        "twelve_step": True,
        "spirituality": "spiritual",
        "uses_labels": True,
        "description": (
            "A Twelve Step fellowship for people who want to stop using any drug, alcohol "
            "included. Members support one another through shared experience and a spiritual, "
            "not religious, programme. The only requirement is a desire to stop using."
        ),
    },
    {
        "slug": "ca",
        "name": "Cocaine Anonymous",
        "short_name": "CA",
        "website": "https://ca.org/",
        "focus": "Cocaine and all other mind-altering substances",
        "twelve_step": True,
        "spirituality": "spiritual",
        "uses_labels": True,
        "description": (
            "A Twelve Step fellowship for recovery from addiction to cocaine and all other "
            "mind-altering substances. Nobody needs to have used cocaine to attend; the only "
            "requirement is a desire to stop using."
        ),
    },
    {
        "slug": "ha",
        "name": "Heroin Anonymous",
        "short_name": "HA",
        "website": "https://heroinanonymous.org/",
        "focus": "Heroin and other opioids",
        "twelve_step": True,
        "spirituality": "spiritual",
        "uses_labels": True,
        "description": (
            "A Twelve Step fellowship for people recovering from heroin and other opioid "
            "addiction, who help one another through shared experience and the Twelve Steps."
        ),
    },
    {
        "slug": "pa",
        "name": "Pills Anonymous",
        "short_name": "PA",
        "website": "https://pillsanonymous.org/",
        "focus": "Prescription drugs and pills",
        "twelve_step": True,
        "spirituality": "spiritual",
        "uses_labels": True,
        "description": (
            "A Twelve Step fellowship for people recovering from addiction to prescription "
            "drugs and pills, meeting to share experience and support."
        ),
    },
    {
        "slug": "nar-anon",
        "name": "Nar-Anon Family Groups",
        "short_name": "Nar-Anon",
        "website": "https://www.nar-anon.org/",
        "focus": "Family and friends of someone with an addiction",
        "twelve_step": True,
        "spirituality": "spiritual",
        "audience": "family",
        "uses_labels": False,
        "description": (
            "For relatives and friends who are affected by someone else's addiction. Members "
            "use an adapted Twelve Steps to find support and peace of mind for themselves, "
            "whether or not their loved one is in recovery."
        ),
    },
    {
        "slug": "refuge-recovery",
        "name": "Refuge Recovery",
        "short_name": "Refuge Recovery",
        "website": "https://www.refugerecovery.org/",
        "focus": "Any addiction",
        "twelve_step": False,
        "spirituality": "spiritual",
        "faith": "Buddhist-inspired",
        "uses_labels": False,
        "description": (
            "A Buddhist-inspired path to recovery from addiction built on the Four Noble Truths "
            "and the Eightfold Path. Meetings usually include meditation. It is not a Twelve Step "
            "programme, and no belief in a god is asked of anyone."
        ),
    },
    {
        "slug": "smart-recovery",
        "name": "SMART Recovery",
        "short_name": "SMART",
        "website": "https://smartrecovery.org/",
        "focus": "Any addictive behaviour",
        "twelve_step": False,
        "spirituality": "secular",
        "evidence_based_tools": True,
        "uses_labels": False,
        "description": (
            "Self-Management and Recovery Training: science-based, using cognitive-behavioural "
            "and motivational tools around four points: building motivation, coping with urges, "
            "managing thoughts, feelings and behaviours, and living a balanced life. Labels such "
            "as 'addict' are not used, spirituality is not discussed, and trained volunteer "
            "facilitators lead meetings."
        ),
    },
    {
        "slug": "lifering",
        "name": "LifeRing Secular Recovery",
        "short_name": "LifeRing",
        "website": "https://lifering.org/",
        "focus": "Alcohol and other drugs",
        "twelve_step": False,
        "spirituality": "secular",
        "uses_labels": False,
        "description": (
            "Built on the three S's: sobriety (abstinence from alcohol and other drugs), "
            "secularity and self-help. Members build a personal recovery plan and talk about "
            "the week past and the week ahead. Convenors may sign attendance slips."
        ),
    },
    {
        "slug": "sos",
        "name": "Secular Organizations for Sobriety",
        "short_name": "SOS",
        "website": "https://www.sossobriety.org/",
        "focus": "Alcohol and other drugs",
        "twelve_step": False,
        "spirituality": "secular",
        "uses_labels": False,
        "description": (
            "A secular, self-empowerment approach to sobriety, independent of any religious or "
            "Twelve Step programme. Members support one another in making sobriety their "
            "priority, each in their own way."
        ),
    },
    {
        "slug": "celebrate-recovery",
        "name": "Celebrate Recovery",
        "short_name": "Celebrate Recovery",
        "website": "https://www.celebraterecovery.com/",
        "focus": "Hurts, habits and hang-ups, addiction included",
        "twelve_step": True,
        "spirituality": "faith_based",
        "faith": "Christian",
        "uses_labels": False,
        "description": (
            "A Christ-centred programme, founded at Saddleback Church in 1991, that follows "
            "eight recovery principles based on the Beatitudes alongside the Twelve Steps. "
            "Groups usually meet in churches and welcome anyone with any hurt, habit or hang-up."
        ),
    },
    {
        "slug": "she-recovers",
        "name": "She Recovers",
        "short_name": "She Recovers",
        "website": "https://sherecovers.org/",
        "focus": "Substance use and other life challenges",
        "twelve_step": False,
        "spirituality": "open",
        "audience": "women",
        "uses_labels": False,
        "description": (
            "A community of women in or seeking recovery from substance use and other life "
            "challenges. It welcomes every pathway to recovery and offers peer support "
            "meetings, resources, retreats and certified recovery coaches."
        ),
    },
]


def seed(apps, schema_editor):
    Fellowship = apps.get_model("groups", "Fellowship")
    TypeVocabulary = apps.get_model("groups", "TypeVocabulary")
    vocabulary = TypeVocabulary.objects.get(slug="meeting-guide")
    for data in FELLOWSHIPS:
        fields = dict(data)
        slug = fields.pop("slug")
        Fellowship.objects.get_or_create(
            slug=slug, defaults={**fields, "type_vocabulary": vocabulary}
        )


class Migration(migrations.Migration):
    dependencies = [("groups", "0002_seed_meeting_guide_types")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
