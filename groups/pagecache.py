"""Public pages kept for a minute, forgotten the moment any listing changes; and a reload that
costs nothing when nothing has changed.

A page is cached under its host and full URL (one cache may serve several sites, and a page
names its own address in its links), the viewer's time-zone cookie, the current minute (the
"starting soonest" order and "today" move with the clock), the page's language (its address
says it too: groups.languages) and the time of the last change to any listing
(ListingsVersion, one small query). Any save of a meeting, venue, group, region,
fellowship or type, a check, an approval or an import moves that time on (groups.signals), so a
volunteer's fix shows at once in every app server, whether the cache is per process or shared.
Only complete 200 answers that set no cookie are kept. PAGE_CACHE_SECONDS=0 turns it off.

The same key is the page's ETag, so that it is known before the page is built: a browser that
asks again with it (If-None-Match) is answered 304 Not Modified without the view running,
whether the page cache is on or off. It is given to the answers the cache would keep (complete
200s that set no cookie, to GET and HEAD), and it is weak (W/"…"): it names what the page says,
not its bytes, and GZipMiddleware would weaken a strong one anyway; If-None-Match compares
weakly (RFC 9110 13.1.2), so a compressed page revalidates as an uncompressed one does. A change
to any listing, the next minute, another zone cookie or language is another tag.

Cache-Control: private, max-age=0, must-revalidate. max-age=0 and must-revalidate: a page moves
with the minute and with every listing change, so a stored copy is never used without asking,
and asking is cheap (one small query and a 304); back and forward still show the stored copy
(only no-store would stop that). private: a page depends on the reader's cookies (the zone, the
language) and a search says what someone is looking for (health information, REFERENCE.md §5),
so no shared cache between the site and the reader may keep it. Vary: Cookie says so too, and
Accept-Encoding (the 200 it stands for is compressed by GZipMiddleware); Accept-Language is added
by the language middlewares where the address has no prefix (groups.languages).
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, parse_http_date_safe

from groups.models import ListingsVersion

# What a kept page's answer says to browsers (module docstring).
PAGE_CACHE_CONTROL = {"private": True, "max_age": 0, "must_revalidate": True}
PAGE_VARY = ("Cookie", "Accept-Encoding")


def listings_changed():
    """When any listing last changed (ListingsVersion), or None before the first change."""
    return ListingsVersion.objects.values_list("changed", flat=True).first()


def _key(request) -> str:
    raw = "|".join(
        (
            ListingsVersion.current(),  # read once a request; the result rows use it too
            str(int(time.time() // 60)),
            request.get_host(),
            request.get_full_path(),
            request.COOKIES.get("tz", ""),
            translation.get_language() or "",
        )
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def weak_etag(text: str) -> str:
    """A weak entity tag naming `text` (a key of everything an answer depends on)."""
    return f'W/"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def unchanged(request, etag: str, last_modified: int | None = None) -> bool:
    """Whether the reader already holds this version: one of its If-None-Match tags is `etag`
    (weak comparison, RFC 9110 13.1.2: W/ or not), or, when it sends none, its
    If-Modified-Since is not before `last_modified` (seconds). "*" is not taken as a match: a
    page is known to exist only once it has been built."""
    tags = parse_etags(request.headers.get("If-None-Match", ""))
    if tags:
        return etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}
    if last_modified is None:
        return False
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and since >= last_modified


def _keepable(response) -> bool:
    return response.status_code == 200 and not response.streaming and not response.cookies


def _validated(response, etag: str):
    response["ETag"] = etag
    patch_cache_control(response, **PAGE_CACHE_CONTROL)
    patch_vary_headers(response, PAGE_VARY)
    return response


def cached_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = _key(request)
        etag = weak_etag(key)
        if unchanged(request, etag):
            # The reader holds this very page: nothing to build, nothing to send.
            return _validated(HttpResponseNotModified(), etag)
        seconds = settings.PAGE_CACHE_SECONDS
        kept = cache.get(key) if seconds else None
        if kept is not None:
            content, headers, policy = kept
            response = HttpResponse(content, headers=headers)
            if policy:
                response._csp_update = policy
            return response
        response = view(request, *args, **kwargs)
        if _keepable(response):
            _validated(response, etag)
            if seconds:
                # Bytes and headers, not the response object: quicker to store and to read back.
                # With what the page adds to its Content-Security-Policy (a style's hash).
                policy = getattr(response, "_csp_update", None)
                cache.set(key, (response.content, dict(response.headers), policy), seconds)
        return response

    return wrapper
