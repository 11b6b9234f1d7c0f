from django import template

from groups.admin.home import counts, scope_in_words, split_app_list
from groups.scope import scope_of

register = template.Library()


@register.inclusion_tag("admin/includes/work_queue.html", takes_context=True)
def work_queue(context):
    """The admin index's scope, counts and lists (see groups.admin.home)."""
    user = context["request"].user
    work, reference = split_app_list(context.get("app_list", []))
    return {
        "scope": scope_in_words(scope_of(user)),
        "counts": counts(user),
        "app_list": work,
        "reference": reference,
        "request": context["request"],
    }
