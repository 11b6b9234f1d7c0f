"""No lost edits: a form remembers when its object last changed, and refuses to save over a
change made meanwhile, saying what changed, by whom and when.

The token is the object's `updated` time, which every save (admin, import, approval of a
correction) moves on. After a refusal the form shows the sender's own values, so nothing is lost,
and carries the new token: saving again, having looked, keeps theirs.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def current_token(instance) -> str:
    updated = (
        type(instance)._default_manager.filter(pk=instance.pk).values_list("updated", flat=True)
    ).first()
    return updated.isoformat() if updated else ""


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name.replace("_", " ")


def _show(value) -> str:
    if value in (None, ""):
        return _("(empty)")
    if isinstance(value, list):  # a many-to-many field as django-simple-history records it
        return ngettext("%(count)s chosen", "%(count)s chosen", len(value)) % {"count": len(value)}
    return str(value)


def changes_since(instance, since) -> list[str]:
    """What changed in this object after `since`, one line per save, from its history."""
    history = getattr(instance, "history", None)
    if history is None or since is None:
        return []
    lines = []
    records = history.filter(updated__gt=since).select_related("history_user")
    for record in records.order_by("history_date"):
        previous = record.prev_record
        who = (
            record.history_user.get_username()
            if record.history_user
            # Translators: who saved it, when no user did.
            else _("an import or script")
        )
        values = {
            "who": who,
            "time": format_date(timezone.localtime(record.history_date), "j M Y H:i"),
        }
        if previous is None:
            # Translators: who saved the object, and when.
            lines.append(_("%(who)s at %(time)s") % values)
            continue
        diff = record.diff_against(previous, excluded_fields=["updated"])
        changed = "; ".join(
            f"{_field_label(type(instance), c.field)}: {_show(c.old)} \u2192 {_show(c.new)}"
            for c in diff.changes
        )
        if changed:
            # Translators: changes lists "field: old → new" for each field changed.
            lines.append(
                _("%(who)s at %(time)s changed %(changes)s") % {**values, "changes": changed}
            )
        else:
            lines.append(_("%(who)s at %(time)s changed nothing visible") % values)
    return lines


class ConcurrencyForm(forms.ModelForm):
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # Read from the row, not the instance: a revert form's instance is an old version.
            self.initial["loaded_at"] = current_token(self.instance)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        key = self.add_prefix("loaded_at")
        sent = self.data.get(key, "")
        now = current_token(self.instance)
        if sent == now:
            return cleaned
        since = parse_datetime(sent) if sent else None
        # Carry the new token, so that saving again after looking keeps the sender's values.
        self.data = self.data.copy()
        self.data[key] = now
        lines = changes_since(self.instance, since)
        # Translators: what is the kind of thing edited: meeting, location, group…
        message = _(
            "This %(what)s was changed by someone else while you were editing it, so your "
            "changes have not been saved. They are still in the form below."
        ) % {"what": type(self.instance)._meta.verbose_name}
        if lines:
            # Translators: changes lists each save made meanwhile, separated by " | ".
            message += " " + _("Changed meanwhile: %(changes)s.") % {"changes": " | ".join(lines)}
        message += " " + _("Check your values against those, then save again to keep yours.")
        raise ValidationError(message, code="conflict")
