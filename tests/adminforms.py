"""What a browser sends back from an admin form, read from the page the admin rendered."""

import datetime

from django.contrib.auth.models import Group as UserGroup
from django.contrib.auth.models import User

from groups.models import Volunteer


def _value(value):
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if hasattr(value, "pk"):
        return str(value.pk)
    return value


def form_data(response, **changes) -> dict:
    """The admin form on this page as a browser would post it, with `changes` applied."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [_value(v) for v in value]
        else:
            data[name] = _value(value)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        data[management.add_prefix("TOTAL_FORMS")] = formset.initial_form_count()
        for sub in formset.initial_forms:
            for field in sub.hidden_fields():
                data[field.html_name] = _value(field.value())
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def make_volunteer(username="sam", fellowships=(), regions=()):
    user = User.objects.create_user(username, f"{username}@example.org", "a-long-test-password")
    user.is_staff = True
    user.save()
    user.groups.add(UserGroup.objects.get(name="volunteers"))
    volunteer = Volunteer.objects.create(user=user)
    volunteer.fellowships.set(fellowships)
    volunteer.regions.set(regions)
    return user
