"""Any change to what the public pages show moves ListingsVersion on (see groups.pagecache)."""

from django.core.signals import request_started
from django.db.models.signals import m2m_changed, post_delete, post_save

from groups import onboarding
from groups.helplines import forget
from groups.models import (
    Fellowship,
    Group,
    Helpline,
    Language,
    ListingsVersion,
    Location,
    Meeting,
    MeetingType,
    Region,
    TypeVocabulary,
    Verification,
)

# Verification: a check changes the listing's "last verified".
SHOWN = [
    Meeting,
    Location,
    Group,
    Region,
    Fellowship,
    MeetingType,
    Language,
    TypeVocabulary,
    Verification,
    Helpline,  # the "Need to talk to someone now?" block of the results and home pages
]


def listings_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: the fixture's own rows
        return
    if kwargs.get("action", "post_").startswith("pre_"):  # m2m: once, after the change
        return
    ListingsVersion.bump()


def connect() -> None:
    onboarding.connect()  # staff status follows a scope or the volunteers group
    # Each request reads when the listings last changed afresh, once (ListingsVersion.current).
    request_started.connect(ListingsVersion.forget_current, dispatch_uid="listings-version")
    for model in SHOWN:
        post_save.connect(listings_changed, sender=model, dispatch_uid=f"shown-save-{model}")
        post_delete.connect(listings_changed, sender=model, dispatch_uid=f"shown-del-{model}")
    # The helplines' kept table (groups.helplines) is forgotten with them, as the catalogue is.
    post_save.connect(forget, sender=Helpline, dispatch_uid="helplines-forget-save")
    post_delete.connect(forget, sender=Helpline, dispatch_uid="helplines-forget-del")
    for through in (Meeting.types.through, Meeting.languages.through):
        m2m_changed.connect(listings_changed, sender=through, dispatch_uid=f"shown-m2m-{through}")
