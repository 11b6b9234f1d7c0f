"""{% helplines_block result %}: the "Need to talk to someone now?" block (groups.helplines).

On a page of search results, pass the result; on a page with no search (the home page), pass
nothing and the viewer's `tz` cookie decides. Renders nothing when no helpline applies.
"""

from django import template
from django.template.loader import render_to_string

from groups import helplines

register = template.Library()


@register.simple_tag(takes_context=True)
def helplines_block(context, result=None):
    if result is not None:
        lines = helplines.for_search(result)
    else:
        lines = helplines.for_request(context.get("request"))
    if not lines:
        return ""
    return render_to_string("partials/helplines.html", {"helplines": lines})
