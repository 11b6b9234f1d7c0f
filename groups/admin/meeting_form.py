"""The parts of the admin meeting form that take the right data (issue 15): a types picker with
only the fellowship's own non-language types, grouped by category, and a check row that records
only what is filled in."""

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from groups.models import Fellowship, MeetingType, Verification

# Types that name a language: the Languages field says that once, so they are never offered.
LANGUAGE_TYPES = Q(category=MeetingType.Category.LANGUAGE) | Q(language__isnull=False)
CATEGORY_ORDER = {value: index for index, value in enumerate(MeetingType.Category.values)}


class GroupedTypes(ModelChoiceIterator):
    """The choices as (category, [types]) groups: CheckboxSelectMultiple renders each group as
    its own labelled list. One query, when the form is rendered."""

    def __iter__(self):
        types = sorted(
            self.queryset.order_by("name"),
            key=lambda t: (t.vocabulary.name, CATEGORY_ORDER.get(t.category, 99)),
        )
        several = len({t.vocabulary_id for t in types}) > 1
        groups: dict[str, list] = {}
        for meeting_type in types:
            label = meeting_type.get_category_display()
            if several:  # no fellowship chosen yet: every vocabulary, each named
                # Translators: a group of meeting types: a vocabulary's name, then the category.
                label = _("%(vocabulary)s: %(category)s") % {
                    "vocabulary": meeting_type.vocabulary.name,
                    "category": label,
                }
            groups.setdefault(label, []).append(self.choice(meeting_type))
        yield from groups.items()

    def __len__(self):
        return len(list(iter(self)))

    def __bool__(self):
        return self.queryset.exists()


class MeetingTypesField(forms.ModelMultipleChoiceField):
    iterator = GroupedTypes
    widget = forms.CheckboxSelectMultiple

    default_error_messages = {
        **forms.ModelMultipleChoiceField.default_error_messages,
        "invalid_choice": _lazy(
            "That type is not one of this fellowship's: its types are shown now, choose again."
        ),
    }

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


def types_field() -> MeetingTypesField:
    return MeetingTypesField(
        queryset=MeetingType.objects.exclude(LANGUAGE_TYPES).select_related("vocabulary"),
        required=False,
        help_text=_lazy("The fellowship's own types. Languages go in the Languages field."),
    )


def vocabulary_of(form) -> int | None:
    """The type vocabulary of the fellowship the form is about: the one sent (or its group's),
    so that after a change of fellowship the page shows that fellowship's types; else the
    meeting's; else one named in the add page's address (?fellowship=)."""
    if form.is_bound:
        fellowship = form.data.get(form.add_prefix("fellowship"), "")
        group = form.data.get(form.add_prefix("group"), "")
    else:
        fellowship = str(form.instance.fellowship_id or form.initial.get("fellowship") or "")
        group = ""
    if fellowship.isdigit():
        rows = Fellowship.objects.filter(pk=fellowship)
    elif group.isdigit():
        rows = Fellowship.objects.filter(groups__pk=group)
    else:
        return None
    return rows.values_list("type_vocabulary_id", flat=True).first()


def with_language_types(types, languages, vocabulary_id) -> list:
    """The chosen types plus the vocabulary's codes for the chosen languages, so that feeds
    carrying language codes among the types (Meeting Guide's "S" for Spanish) still do."""
    chosen = list(types)
    if vocabulary_id and languages:
        chosen += MeetingType.objects.filter(vocabulary_id=vocabulary_id, language__in=languages)
    return chosen


class VerificationForm(forms.ModelForm):
    """A check row: left empty, it records nothing; filled, it needs "how". The date is empty
    until given (empty means today), so an untouched row does not look like a recorded check."""

    class Meta:
        model = Verification
        fields = ["method", "verified_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checked_on = self.fields["verified_on"]
        checked_on.required = False
        checked_on.initial = None
        checked_on.show_hidden_initial = False
        checked_on.help_text = _("Empty means today.")
        if self.instance.pk is None:
            self.initial["verified_on"] = None
        self.fields["method"].error_messages["required"] = _(
            "Choose “how” the listing was checked, or leave the whole row empty."
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("verified_on"):
            cleaned["verified_on"] = timezone.localdate()
        return cleaned
