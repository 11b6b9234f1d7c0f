"""The language switcher: each language in its own name, as a plain link that remembers the
choice (groups.languages.choose) and comes back to the same page in that language."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation

register = template.Library()


@register.inclusion_tag("partials/language_choices.html", takes_context=True)
def language_switcher(context):
    request = context.get("request")
    here = request.get_full_path() if request else "/"
    current = translation.get_language()
    choices = []
    for code, _ in settings.LANGUAGES:
        info = translation.get_language_info(code)
        choices.append(
            {
                "code": code,
                # Capitalised as a language's name stands alone in a list ("Español").
                "name": info["name_local"][:1].upper() + info["name_local"][1:],
                "current": code == current,
                "url": reverse("choose_language")
                + "?"
                + urlencode({"language": code, "next": here}),
                "page": translate_url(here, code),
            }
        )
    return {"choices": choices}
