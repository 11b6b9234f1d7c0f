"""The facts people compare fellowships by (issue 14), for the twelve seeded in 0003, and two
corrections to that seed.

Each fact is in the fellowship's own terms, from its own literature or meeting formats; a fact
we could not confirm is left blank rather than guessed (the admin fills it later). Open and
Closed are explained only for fellowships whose meetings use them in their own tradition.

Corrections:
- Refuge Recovery was seeded as "Spiritual (a higher power of one's own understanding)"; it is
  Buddhist-inspired and non-theistic and asks no belief of anyone: "Open to any belief or none".
- SOS was seeded as not using labels; its Suggested Guidelines for Sobriety begin by
  acknowledging "that we are alcoholics or addicts".

Only values still as seeded (or blank) are changed, so that an edit made in the admin stays.
"""

from django.db import migrations

ANYONE = "Anyone may come, including family, friends and people who are curious"
LISTEN = "You may simply listen: nobody has to speak."

FACTS = {
    "aa": {
        "goal": "Abstinence from alcohol: to stop drinking and stay sober",
        "led_by": "peers",
        "family_groups": (
            "Family and friends are welcome at open meetings. Al-Anon and Alateen, "
            "separate fellowships, are for them."
        ),
        "first_meeting": (
            "A member chairs the meeting, often opening with a short reading; then members "
            "share their experience, or a speaker tells their story. "
            f"{LISTEN} There are no fees; giving to the collection is voluntary."
        ),
        "open_meaning": ANYONE,
        "closed_meaning": "For people who have a desire to stop drinking",
    },
    "na": {
        "goal": "Complete abstinence from all drugs, alcohol included",
        "led_by": "peers",
        "family_groups": (
            "Family and friends are welcome at open meetings. Nar-Anon Family Groups, a "
            "separate fellowship, is for them."
        ),
        "first_meeting": (
            "A member leads the meeting, which usually opens with readings from NA "
            f"literature; then members share their experience. {LISTEN} There are no fees; "
            "giving to the collection is voluntary."
        ),
        "open_meaning": ANYONE,
        "closed_meaning": "For people who think they may have a drug problem",
    },
    "ca": {
        "goal": "Abstinence from cocaine and all other mind-altering substances",
        "led_by": "peers",
        "family_groups": "Family and friends are welcome at open meetings.",
        "first_meeting": (
            "A member leads the meeting, often with readings; then members share their "
            f"experience, or a speaker tells their story. {LISTEN} There are no fees; giving "
            "to the collection is voluntary."
        ),
        "open_meaning": ANYONE,
        "closed_meaning": (
            "For people who have a desire to stop using cocaine and all other "
            "mind-altering substances"
        ),
    },
    "ha": {
        "goal": "Sobriety: to stop using heroin and other opioids",
        "led_by": "peers",
        "family_groups": "Family and friends may come to open meetings.",
        "first_meeting": (
            "A member chairs the meeting and usually introduces a topic, or a speaker tells "
            f"their story; then members share. {LISTEN} There are no fees."
        ),
        "open_meaning": "Anyone interested in recovery from heroin addiction may come and listen",
        "closed_meaning": (
            "For people who have a problem with heroin or other opioids and a desire to stop"
        ),
    },
    "pa": {
        "goal": (
            "Staying clean: complete abstinence from all mood- and mind-altering "
            "substances, alcohol included"
        ),
        "led_by": "peers",
        "first_meeting": (
            "A member leads the meeting, which may be a step study, a book study, a speaker "
            f"or open sharing. {LISTEN} There are no fees."
        ),
    },
    "nar-anon": {
        "goal": "Their own recovery and peace of mind, whether or not their loved one is using",
        "led_by": "peers",
        "family_groups": "Nar-Anon itself is for relatives and friends of someone with an addiction.",
        "first_meeting": (
            "A member leads the meeting, often with readings; members share their own "
            "experience, keeping the focus on themselves rather than on the person with the "
            f"addiction. {LISTEN}"
        ),
    },
    "refuge-recovery": {
        "goal": "Abstinence, and freedom from the suffering that addiction causes",
        "led_by": "peers",
        "first_meeting": (
            "Members lead the meeting in turn. It usually opens with readings and a guided "
            "meditation of about 20 minutes, then a short reading and time for each person to "
            "share on a topic. No experience of meditation or of Buddhism is needed. "
            f"{LISTEN}"
        ),
    },
    "smart-recovery": {
        "goal": (
            "Abstinence-oriented: each person sets their own goal, and people who have not "
            "decided to stop are welcome"
        ),
        "led_by": "facilitators",
        "family_groups": (
            "SMART Recovery Family & Friends meetings are for people affected by someone "
            "else's addiction."
        ),
        "first_meeting": (
            "A trained facilitator opens the meeting; members check in about their week, the "
            "group discusses problems and the tools that help with them, and each person may "
            "set a plan for the week ahead. Meetings usually last 60 to 90 minutes. "
            f"{LISTEN}"
        ),
    },
    "lifering": {
        "goal": "Abstinence from alcohol and other drugs (sobriety)",
        "led_by": "peers",
        "first_meeting": (
            "A convenor, a member in recovery, leads the meeting. Members take turns to say "
            "how their week went and what lies ahead, and others may respond with support. "
            f"{LISTEN}"
        ),
    },
    "sos": {
        "goal": "Abstinence from alcohol and other drugs, as each member's first priority",
        "led_by": "peers",
        "first_meeting": (
            "A member reads a short opening statement; then people talk, if they wish, about "
            "sobriety in their lives, and the meeting ends with a short closing statement. "
            f"{LISTEN}"
        ),
    },
    "celebrate-recovery": {
        "goal": "Freedom from hurts, habits and hang-ups, through Jesus Christ",
        "led_by": "leaders",
        "family_groups": (
            "Anyone affected by someone else's habits is welcome; many groups also offer "
            "Celebration Place for children and The Landing for teenagers."
        ),
        "first_meeting": (
            "An evening usually begins with everyone together for worship and a lesson or a "
            "testimony, then smaller open share groups of men or of women, each with a trained "
            "leader. Nobody has to share."
        ),
    },
    "she-recovers": {
        "goal": "Recovery on each woman's own terms; every pathway is welcome",
        "led_by": "facilitators",
        "first_meeting": (
            "Gatherings usually last an hour, centre on a topic and are led by a trained "
            f"volunteer. {LISTEN}"
        ),
    },
}

# (slug, field, as seeded, corrected)
CORRECTIONS = [
    ("refuge-recovery", "spirituality", "spiritual", "open"),
    ("sos", "uses_labels", False, True),
]


def fill(apps, schema_editor):
    Fellowship = apps.get_model("groups", "Fellowship")
    for fellowship in Fellowship.objects.filter(slug__in=FACTS):
        changed = []
        for field, value in FACTS[fellowship.slug].items():
            if not getattr(fellowship, field):
                setattr(fellowship, field, value)
                changed.append(field)
        if changed:
            fellowship.save(update_fields=changed)
    for slug, field, seeded, corrected in CORRECTIONS:
        Fellowship.objects.filter(slug=slug, **{field: seeded}).update(**{field: corrected})


class Migration(migrations.Migration):
    dependencies = [("groups", "0013_phone_finder_fields")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
