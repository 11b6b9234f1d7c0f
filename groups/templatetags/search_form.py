"""Light rendering helpers for the search form: its long choice lists are drawn with plain
template loops, several times faster than Django's per-option widget templates."""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def chosen(field) -> set[str]:
    """The values a form field currently holds, as strings."""
    value = field.value()
    if value in (None, ""):
        return set()
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return {str(value)}


@register.filter
def short_link(url: str) -> str:
    from groups.referrals import short_link as shorten

    return shorten(url)


@register.simple_tag
def quick_choices():
    """The needs and languages offered as one-tap choices (groups.quick)."""
    from groups.quick import quick_choices as read

    return read()


@register.filter
def with_chosen(choices, field):
    """The language choices, and any language the search names that they leave out (a shared
    link may name one no listed meeting is held in yet)."""
    from groups.quick import Choice

    offered = {choice.value for choice in choices}
    known = field.form.catalogue.languages
    extra = [
        Choice(code, known[code][0], 0) for code in sorted(chosen(field) - offered) if code in known
    ]
    return [*choices, *extra]


@register.filter
def without_needs(choices):
    """Type choices but the needs offered as chips above them."""
    from groups.quick import NEEDS

    needs = {code for code, _ in NEEDS}
    return [choice for choice in choices if choice[0] not in needs]


@register.filter
def other_types(values) -> bool:
    """Whether the search names a type other than the needs offered as chips."""
    from groups.quick import NEEDS

    needs = {code for code, _ in NEEDS}
    if not values:
        return False
    values = values if isinstance(values, list | tuple) else [values]
    return any(value not in needs for value in values)


# The long choice lists (87 types, the fellowships, the regions) drawn in Python: a template
# loop costs about 40 µs an option, these a microsecond. The markup is the templates' own.


# The markup of each choice, without its "checked", kept for each list of choices: escaping a
# label (often a translation, read lazily) is most of what drawing a long list costs. Kept by
# the field, the language, the catalogue the labels come from (groups.catalogue: replaced when a
# name changes) and the values, so that a list kept is always the list drawn.
_drawn: dict[tuple, tuple[object, list[tuple[str, str, str]]]] = {}


def _drawn_choices(catalogue, key, items, draw) -> list[tuple[str, str, str]]:
    """[(value, markup before "checked"/"selected", markup after)] for (value, label) items."""
    if catalogue is None:
        return [(value, *draw(n, value, label)) for n, (value, label) in enumerate(items)]
    key = (*key, id(catalogue), get_language(), tuple(value for value, _label in items))
    held = _drawn.get(key)
    if held is None or held[0] is not catalogue:
        if len(_drawn) > 500:
            _drawn.clear()
        drawn = [(value, *draw(n, value, label)) for n, (value, label) in enumerate(items)]
        held = _drawn[key] = (catalogue, drawn)
    return held[1]


def forget_drawn() -> None:
    _drawn.clear()


def _catalogue_of(field):
    """The catalogue a search form's labels come from (None for another form)."""
    return getattr(field.form, "catalogue", None)


@register.simple_tag
def checkbox_items(field, items):
    """A checkbox for each (value, label), each with its label, ticked if the field holds it."""
    selected = chosen(field)
    auto_id, name = escape(field.auto_id), escape(field.html_name)

    def draw(n, value, label):
        return (
            f'\n    <div><label for="{auto_id}_{n}"><input type="checkbox" name="{name}" '
            f'value="{escape(value)}" id="{auto_id}_{n}"',
            f">{escape(label)}</label></div>",
        )

    drawn = _drawn_choices(_catalogue_of(field), ("checkbox", auto_id, name), items, draw)
    return mark_safe(
        "".join(
            f"{before}{' checked' if value in selected else ''}{after}"
            for value, before, after in drawn
        )
    )


@register.simple_tag
def chip_items(name, choices, selected):
    """The chips' checkboxes (quick.Choice), a language's own name beside its name here."""
    name = escape(name)
    out = []
    for c in choices:
        checked = " checked" if c.value in selected else ""
        if c.own:
            text = (
                f'<span lang="{escape(c.lang)}">{escape(c.own)}</span> '
                f'<span class="aside">({escape(c.label)})</span>'
            )
        else:
            text = escape(c.label)
        out.append(
            f'<label><input type="checkbox" name="{name}" value="{escape(c.value)}"{checked}>'
            f"{text}</label>"
        )
    return mark_safe("".join(out))


@register.simple_tag
def select_options(choices, selected, catalogue=None):
    """An <option> for each (value, label); the empty one is chosen when nothing is."""

    def draw(n, value, label):
        return f'<option value="{escape(value)}"', f">{escape(label)}</option>\n"

    return mark_safe(
        "".join(
            f"{before}{' selected' if value in selected or not value and not selected else ''}"
            f"{after}"
            for value, before, after in _drawn_choices(catalogue, ("select",), choices, draw)
        )
    )


# The form's fields, each a label, its errors and its control, drawn in Python: an include of
# a small template costs about half a millisecond, and the search form has twenty of them.


def _errors(field) -> tuple[str, str]:
    """The field's error list and its aria attributes, or two empty strings."""
    if not field.errors:
        return "", ""
    auto_id = escape(field.auto_id)
    items = "".join(f"<li>{escape(error)}</li>" for error in field.errors)
    listed = f'<ul class="errorlist" id="{auto_id}_error">{items}</ul>'
    return listed, f' aria-invalid="true" aria-describedby="{auto_id}_error"'


def _label(field) -> str:
    colon = conditional_escape(_(":"))
    return f"{escape(field.label)}{colon}"


@register.simple_tag
def input_field(field, type="text", extra="", placeholder=""):
    """A labelled <input>; `extra` is markup from the template (its attributes)."""
    auto_id = escape(field.auto_id)
    errors, aria = _errors(field)
    help_text = ""
    if field.help_text:
        help_text = f'<div class="helptext" id="{auto_id}_helptext">{escape(field.help_text)}</div>'
        if not aria:
            aria = f' aria-describedby="{auto_id}_helptext"'
    value = field.value()
    value = "" if value is None else escape(localize(value))
    attributes = f" {extra}" if extra else ""
    if placeholder:
        attributes += f' placeholder="{escape(placeholder)}"'
    return mark_safe(
        f'<label for="{auto_id}">{_label(field)}</label>\n{help_text}\n{errors}\n'
        f'<input type="{escape(type or "text")}" name="{escape(field.html_name)}" id="{auto_id}" '
        f'value="{value}"{attributes}{aria}>'
    )


@register.simple_tag
def select_field(field, choices, empty_label=""):
    """A labelled <select> of (value, label), the first option `empty_label` if given."""
    selected = chosen(field)
    auto_id = escape(field.auto_id)
    errors, aria = _errors(field)
    empty = ""
    if empty_label:
        empty = f'<option value=""{"" if selected else " selected"}>{escape(empty_label)}</option>'
    return mark_safe(
        f'<label for="{auto_id}">{_label(field)}</label>\n{errors}\n'
        f'<select name="{escape(field.html_name)}" id="{auto_id}"{aria}>\n{empty}\n'
        f"{select_options(choices, selected, _catalogue_of(field))}</select>"
    )


@register.simple_tag
def checkbox_field(field, choices=None):
    """A fieldset of checkboxes, the field's own choices unless others are given."""
    auto_id = escape(field.auto_id)
    errors, aria = _errors(field)
    described = f' aria-describedby="{auto_id}_error"' if errors else ""
    items = checkbox_items(field, choices or field.field.choices)
    return mark_safe(
        f"<fieldset{described}>\n  <legend>{_label(field)}</legend>\n  {errors}\n"
        f'  <div id="{auto_id}">{items}\n  </div>\n</fieldset>'
    )


@register.simple_tag
def chips_field(legend, name, choices, selected=""):
    """Checkboxes drawn as large tap targets (quick.Choice), under a legend."""
    return mark_safe(
        f'<fieldset class="chips">\n  <legend>{escape(legend)}</legend>\n'
        f"  <div>{chip_items(name, choices, selected)}</div>\n</fieldset>"
    )
