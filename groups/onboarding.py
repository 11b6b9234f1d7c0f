"""Volunteers' accounts: who is staff, the coordinators' group, and the demo's accounts.

The admin lets in staff only, so a user given a scope (groups.models.Volunteer with fellowships
or regions) or put in the `volunteers` or `coordinators` group is made staff at once, whichever
way it was done: the admin's user screen and its scope inline, `manage.py add_volunteer`, or a
shell. Taking the last of those away takes staff away again, but never from a superuser, nor
from someone who still has another group, permissions of their own or a scope.

These are m2m and delete signals rather than an admin save because the same rule must hold for
every way a membership changes; they only keep `is_staff` in step and decide nothing else.
"""

from django.conf import settings
from django.contrib.auth.models import Group as UserGroup
from django.contrib.auth.models import Permission, User
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete

from groups.models import Volunteer

VOLUNTEERS = "volunteers"  # made by migration 0010 with a volunteer's permissions
COORDINATORS = "coordinators"  # made by coordinators_group(): every listing, and the accounts
STAFF_GROUPS = (VOLUNTEERS, COORDINATORS)

# The demo's accounts (manage.py load_demo, with DEBUG on): the README gives these passwords,
# so the admin refuses them whenever DEBUG is off (DemoRefusingLoginForm).
DEMO_PASSWORDS = frozenset({"demo-coordinator-2026", "demo-volunteer-2026"})
DEMO_LOADER = "demo-loader"  # the demo data's author in its history; cannot sign in


def has_scope(user_id) -> bool:
    """A Volunteer row with at least one fellowship or region (an empty one keeps nothing)."""
    return (
        Volunteer.objects.filter(user_id=user_id)
        .filter(Q(fellowships__isnull=False) | Q(regions__isnull=False))
        .exists()
    )


def _make_staff(user_ids) -> None:
    User.objects.filter(pk__in=user_ids, is_staff=False).update(is_staff=True)


def _unmake_staff_if_nothing_left(user_ids) -> None:
    for user in User.objects.filter(pk__in=user_ids, is_staff=True, is_superuser=False):
        if user.groups.exists() or user.user_permissions.exists() or has_scope(user.pk):
            continue
        User.objects.filter(pk=user.pk).update(is_staff=False)


def _sync(user) -> None:
    wanted = user.groups.filter(name__in=STAFF_GROUPS).exists() or has_scope(user.pk)
    if wanted and not user.is_staff:
        _make_staff([user.pk])
        user.is_staff = True  # a later save of this object keeps it
    elif not wanted:
        _unmake_staff_if_nothing_left([user.pk])
        user.is_staff = User.objects.filter(pk=user.pk).values_list("is_staff", flat=True)[0]


def groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A user joined or left groups (user.groups.add, or group.user_set.add)."""
    if reverse and action == "pre_clear" and instance.name in STAFF_GROUPS:
        instance._leaving = list(instance.user_set.values_list("pk", flat=True))
    if not action.startswith("post_"):
        return
    if not reverse:
        _sync(instance)
        return
    # From the group's side: instance is the group, pk_set the users (None on clear).
    if instance.name not in STAFF_GROUPS:
        return
    if action == "post_add":
        _make_staff(pk_set)
    elif action == "post_clear":
        _unmake_staff_if_nothing_left(getattr(instance, "_leaving", []))
    else:
        _unmake_staff_if_nothing_left(pk_set)


def scope_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A scope's fellowships or regions changed (the admin's inline saves them this way)."""
    if not action.startswith("post_"):
        return
    if reverse:  # fellowship.volunteers.add(...): pk_set are Volunteer ids
        users = Volunteer.objects.filter(pk__in=pk_set or []).values_list("user_id", flat=True)
        if action == "post_add":
            _make_staff(list(users))
        return
    if action == "post_add":
        _make_staff([instance.user_id])
    else:
        _unmake_staff_if_nothing_left([instance.user_id])


def scope_deleted(sender, instance, **kwargs) -> None:
    _unmake_staff_if_nothing_left([instance.user_id])


def connect() -> None:
    m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid="staff-groups")
    for through in (Volunteer.fellowships.through, Volunteer.regions.through):
        m2m_changed.connect(scope_changed, sender=through, dispatch_uid=f"staff-scope-{through}")
    post_delete.connect(scope_deleted, sender=Volunteer, dispatch_uid="staff-scope-deleted")


# The groups ------------------------------------------------------------------------------------


def volunteers_group() -> UserGroup:
    return UserGroup.objects.get(name=VOLUNTEERS)


def coordinators_group() -> UserGroup:
    """Coordinators keep every listing (`edit_every_listing`, so groups.scope gives them no
    scope), the catalogue, helplines and import subscriptions, and give volunteers their
    accounts and scopes. Kept in step with the app's permissions each time it is asked for."""
    group, _ = UserGroup.objects.get_or_create(name=COORDINATORS)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="groups")
        | Permission.objects.filter(
            content_type__app_label="auth",
            codename__in=["view_user", "add_user", "change_user", "view_group"],
        )
    )
    return group


# Signing in -----------------------------------------------------------------------------------


def is_refused_demo_password(password) -> bool:
    return not settings.DEBUG and password in DEMO_PASSWORDS
