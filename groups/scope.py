"""Which listings a volunteer keeps: one rule, used by every admin page, action and form.

A volunteer's scope is a set of fellowships and/or regions (groups.models.Volunteer). A meeting
is in scope when its fellowship is one of theirs (if they have fellowships) and its place is in
one of their regions or a region inside one (if they have regions). A group is in scope when
it and all its meetings are; a venue when it and every meeting held there are. A group or venue
with no meetings belongs to whoever created it (`created_by`), not to every volunteer. A change
request is in scope while its meeting is (a proposed new meeting: while what the sender chose
is); an import source while it is the volunteer's own. So a volunteer never edits something
that changes another volunteer's listings.

Superusers and staff with the `groups.edit_every_listing` permission (coordinators) see
everything, and alone keep what nobody created in the admin (imports, older rows).
"""

import dataclasses

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from groups.catalogue import catalogue
from groups.models import ChangeRequest, Group, ImportSource, Location, Meeting, Volunteer


@dataclasses.dataclass(frozen=True)
class Scope:
    everything: bool = False
    fellowships: frozenset[int] = frozenset()
    regions: frozenset[int] = frozenset()  # with every region inside them
    label: str = ""  # e.g. "SMART Recovery in Leith"
    user_id: int | None = None  # whose: what they created is theirs while it holds no meetings

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.fellowships and not self.regions

    def describe(self) -> str:
        if self.everything:
            return _("every listing")
        if self.nothing:
            return _("no listings yet (ask a coordinator to give you a scope)")
        return self.label

    # Querysets ---------------------------------------------------------------------------

    def _meeting_q(self, prefix: str = "") -> Q:
        if self.everything:
            return Q()
        if self.nothing:
            return Q(pk__in=[])
        q = Q()
        if self.fellowships:
            q &= Q(**{f"{prefix}fellowship_id__in": self.fellowships})
        if self.regions:
            q &= Q(**{f"{prefix}location__region_id__in": self.regions})
        return q

    def meetings(self, queryset=None):
        queryset = Meeting.objects.all() if queryset is None else queryset
        return queryset.filter(self._meeting_q())

    def _holds_only_ours(self, related: str) -> Q:
        """A group's or venue's meetings are all in scope: it has some, or it is the user's own."""
        held = Meeting.objects.filter(**{related: OuterRef("pk")})
        return ~Exists(held.exclude(self._meeting_q())) & (
            Exists(held) | Q(created_by_id=self.user_id, created_by__isnull=False)
        )

    def groups(self, queryset=None):
        queryset = Group.objects.all() if queryset is None else queryset
        if self.everything:
            return queryset
        if self.nothing:
            return queryset.none()
        if self.fellowships:
            queryset = queryset.filter(fellowship_id__in=self.fellowships)
        return queryset.filter(self._holds_only_ours("group"))

    def locations(self, queryset=None):
        """The venues this volunteer may change."""
        queryset = Location.objects.all() if queryset is None else queryset
        if self.everything:
            return queryset
        if self.nothing:
            return queryset.none()
        if self.regions:
            queryset = queryset.filter(region_id__in=self.regions)
        return queryset.filter(self._holds_only_ours("location"))

    def venues(self, queryset=None):
        """The venues this volunteer may hold a meeting at: any in their regions that is in use
        (shared venues are shared) or their own; never someone else's empty venue, which
        holding a meeting there would take over."""
        queryset = Location.objects.all() if queryset is None else queryset
        if self.everything:
            return queryset
        if self.nothing:
            return queryset.none()
        if self.regions:
            queryset = queryset.filter(region_id__in=self.regions)
        in_use = Exists(Meeting.objects.filter(location=OuterRef("pk")))
        return queryset.filter(in_use | Q(created_by_id=self.user_id, created_by__isnull=False))

    def change_requests(self, queryset=None):
        """A correction while its meeting is in scope (as the meeting is now, not as it was when
        the request came); a proposed meeting by the fellowship and region its sender chose."""
        queryset = ChangeRequest.objects.all() if queryset is None else queryset
        if self.everything:
            return queryset
        if self.nothing:
            return queryset.none()
        proposed = Q(meeting__isnull=True)
        if self.fellowships:
            proposed &= Q(fellowship_id__in=self.fellowships)
        if self.regions:
            proposed &= Q(region_id__in=self.regions)
        return queryset.filter((Q(meeting__isnull=False) & self._meeting_q("meeting__")) | proposed)

    def import_sources(self, queryset=None):
        """The sources this user imports into: their own."""
        queryset = ImportSource.objects.all() if queryset is None else queryset
        if self.everything:
            return queryset
        if self.user_id is None:
            return queryset.none()
        return queryset.filter(created_by_id=self.user_id)

    def fellowship_choices(self, queryset):
        if self.everything or not self.fellowships:
            return queryset if not self.nothing else queryset.none()
        return queryset.filter(pk__in=self.fellowships)

    def region_choices(self, queryset):
        if self.everything or not self.regions:
            return queryset if not self.nothing else queryset.none()
        return queryset.filter(pk__in=self.regions)

    # Single objects, as a form is about to save them --------------------------------------

    def allows_meeting(self, fellowship_id, region_id) -> bool:
        if self.everything:
            return True
        if self.nothing:
            return False
        if self.fellowships and fellowship_id not in self.fellowships:
            return False
        return not self.regions or region_id in self.regions

    def allows(self, obj) -> bool:
        """Whether this saved object is in scope (one query)."""
        if self.everything:
            return True
        by_model = {
            Meeting: self.meetings,
            Group: self.groups,
            Location: self.locations,
            ChangeRequest: self.change_requests,
            ImportSource: self.import_sources,
        }
        for model, method in by_model.items():
            if isinstance(obj, model):
                return method(model._default_manager.filter(pk=obj.pk)).exists()
        raise TypeError(f"No scope rule for {type(obj).__name__}: add one to groups.scope.")


def scope_of(user) -> Scope:
    """The user's scope, read once per request (it is kept on the user object)."""
    if not user.is_active or not user.is_staff:
        return Scope()
    cached = getattr(user, "_directory_scope", None)
    if cached is None:
        cached = user._directory_scope = _read_scope(user)
    return cached


def _read_scope(user) -> Scope:
    if user.is_superuser or user.has_perm("groups.edit_every_listing"):
        return Scope(everything=True)
    volunteer = (
        Volunteer.objects.filter(user=user).prefetch_related("fellowships", "regions").first()
    )
    if volunteer is None:
        return Scope(user_id=user.pk)
    tree = catalogue().regions
    fellowships, regions = volunteer.fellowships.all(), volunteer.regions.all()
    names = ", ".join(sorted(f.name for f in fellowships))
    places = ", ".join(sorted(r.name for r in regions))
    label = names or places
    if names and places:
        # Translators: a volunteer's scope, e.g. "SMART Recovery in Leith, Portobello".
        label = _("%(fellowships)s in %(regions)s") % {"fellowships": names, "regions": places}
    return Scope(
        fellowships=frozenset(f.pk for f in fellowships),
        regions=frozenset(pk for region in regions for pk in tree.below(region.pk)),
        label=label,
        user_id=user.pk,
    )
