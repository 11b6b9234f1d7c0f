"""Public pages kept for a minute, forgotten the moment any listing changes.

A page is cached under its host and full URL (one cache may serve several sites, and a page
names its own address in its links), the viewer's time-zone cookie, the current minute (the
"starting soonest" order and "today" move with the clock), the page's language (its address
says it too: groups.languages) and the time of the last change to any listing
(ListingsVersion, one small query). Any save of a meeting, venue, group, region,
fellowship or type, a check, an approval or an import moves that time on (groups.signals), so a
volunteer's fix shows at once in every app server, whether the cache is per process or shared.
Only complete 200 answers that set no cookie are kept. PAGE_CACHE_SECONDS=0 turns it off.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

from groups.models import ListingsVersion


def _key(request) -> str:
    changed = ListingsVersion.objects.values_list("changed", flat=True).first()
    raw = "|".join(
        (
            changed.isoformat() if changed else "-",
            str(int(time.time() // 60)),
            request.get_host(),
            request.get_full_path(),
            request.COOKIES.get("tz", ""),
            translation.get_language() or "",
        )
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = _key(request)
        kept = cache.get(key)
        if kept is not None:
            content, headers, policy = kept
            response = HttpResponse(content, headers=headers)
            if policy:
                response._csp_update = policy
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            # Bytes and headers, not the response object: quicker to store and to read back.
            # With what the page adds to its Content-Security-Policy (a style's hash).
            policy = getattr(response, "_csp_update", None)
            cache.set(key, (response.content, dict(response.headers), policy), seconds)
        return response

    return wrapper
