"""Which language a page is in, and the address that says so.

Decision: the language is in the address, as a prefix (/es/meetings/?day=1, /fr/…), and English
has none (/meetings/?day=1). A prefix, not a parameter, because a link that is shared, bookmarked
or printed on a referral sheet then opens in the language it was read in, every link a page
makes (`reverse`, pagination, the filters' own links) keeps it without being told, and the page
cache, which keys a page by its full address and language, can never hand one language's page to
a reader of another.

An address without a prefix is English for a reader who has asked for nothing else. A reader who
has (with the switcher, remembered in the first-party `lang` cookie, or else by the browser's
Accept-Language) is sent on to the same address in that language, by a redirect that is never
cached and says what it varied on. The switcher is plain links (`choose`): no script, no form
and no CSRF token in a cached page. The JSON API, the feeds and the admin have no prefix; the
admin speaks the cookie's or the browser's language.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

# The public pages that are read in a language (HTML); calendars, feeds and JSON are not sent on.
READ_PAGES = frozenset(
    {
        "home",
        "meetings",
        "meeting",
        "meeting_new",
        "meeting_correction",
        "correction_sent",
        "fellowships",
        "fellowship",
        "referrals",
        "time_zone",
    }
)


ADMIN_PREFIX = "/admin/"


def codes() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def chosen(request) -> str:
    """The language a reader asked for without a prefix: the cookie, else the browser's."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in codes():
        return cookie
    return translation.get_language_from_request(request, check_path=False)


class LanguageAddressMiddleware:
    """An unprefixed public page asked for in another language goes to that language's
    address. Runs after LocaleMiddleware (which reads a prefix, and leaves an unprefixed
    address in English)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(ADMIN_PREFIX):
            # The admin has no prefix (LocaleMiddleware puts it in English): the volunteer's
            # choice with the switcher, else their browser's.
            language = chosen(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", language)
            return response
        if request.method in ("GET", "HEAD") and not translation.get_language_from_path(
            request.path_info
        ):
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name in READ_PAGES:
                wanted = chosen(request)
                if wanted != settings.LANGUAGE_CODE and wanted in codes():
                    target = translate_url(request.get_full_path(), wanted)
                    if target != request.get_full_path():
                        response = HttpResponseRedirect(target)
                        add_never_cache_headers(response)
                        patch_vary_headers(response, ("Accept-Language", "Cookie"))
                        return response
                response = self.get_response(request)
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        return self.get_response(request)


@require_GET
def choose(request):
    """The switcher's link: remember the language in the `lang` cookie and go back to the page
    in it (`next`, an address on this site; else the home page)."""
    code = request.GET.get("language", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if code not in codes():
        code = settings.LANGUAGE_CODE
    # The address is read in its own language (its prefix), then made in the chosen one.
    with translation.override(translation.get_language_from_path(target) or settings.LANGUAGE_CODE):
        target = translate_url(target, code)
    response = HttpResponseRedirect(target)
    add_never_cache_headers(response)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=request.is_secure(),
        httponly=True,
    )
    return response
