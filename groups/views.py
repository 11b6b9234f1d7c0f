import base64
import functools
import hashlib
import json
import time
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from django import forms
from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import Count, Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods, require_safe

from groups import calendar, corrections, feeds, hardhour, ratelimit
from groups import referrals as referrals_module
from groups.catalogue import catalogue
from groups.clock import occurrence, viewer_zone, zone_choices
from groups.filters import MeetingFilter
from groups.forms import CorrectionForm, NewMeetingForm
from groups.models import Fellowship, Meeting, MeetingSlug, MeetingType
from groups.pagecache import cached_page, listings_changed, unchanged, weak_etag
from groups.referrals import SheetOptions
from groups.search import errors_of, matching, search, summarise
from groups.serializers import meeting_json, meeting_schema_org
from groups.templatetags.listing import checked_long_ago

API_PAGE_SIZE = 50
ZONE_COOKIE_AGE = 365 * 24 * 3600
CALENDAR_LIMIT = 500


def _cookie_tz(request) -> str:
    """The `tz` cookie: the zone the page's script read from the browser, or the one chosen on
    /time-zone/. Checked where it is used (groups.clock): anything else is ignored."""
    return unquote(request.COOKIES.get("tz", ""))


@require_safe
@cached_page
def home(request):
    form = MeetingFilter(None, queryset=Meeting.objects.none()).form
    return render(request, "groups/home.html", {"form": form})


@require_safe
@cached_page
def meetings(request):
    result = search(request.GET, cookie_tz=_cookie_tz(request), listing=True)
    # The form opens by itself only when there is nothing to show yet: no search, or a search
    # to fix. Otherwise the results come first and "Change the search" opens it.
    searched = any(key not in ("tz", "page", "view") for key in request.GET)
    return render(
        request,
        "groups/meetings.html",
        {
            "result": result,
            "form": result.filterset.form,
            "feed_path": feed_path(request.GET),
            "open_form": bool(result.errors) or not searched,
            "hard_hour": hardhour.offer(result, request.GET, _cookie_tz(request)),
        },
        status=400 if result.errors else 200,
    )


@require_safe
@cached_page
def api_meetings(request):
    result = search(request.GET, cookie_tz=_cookie_tz(request), per_page=API_PAGE_SIZE)
    if result.errors:
        return JsonResponse({"errors": result.errors}, status=400)

    def page_url(number):
        params = request.GET.copy()
        params["page"] = number
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    page = result.page
    return JsonResponse(
        {
            "count": result.count,
            # Counting stops at a thousand: past it, "count" is 1000 and this is true.
            "count_capped": result.count_capped,
            "next": page_url(page.next_page_number()) if page and page.has_next() else None,
            "previous": page_url(page.previous_page_number())
            if page and page.has_previous()
            else None,
            # The zone `viewer_start` is in, or null when the viewer's zone is not known.
            "viewer_timezone": {
                "name": result.viewer.name,
                "label": result.viewer.label,
                "source": result.viewer.source,
            }
            if result.viewer
            else None,
            "results": [meeting_json(row, request) for row in result.rows],
        }
    )


class _MovedMeeting(Http404):
    """A meeting asked for by a slug it had before (still a 404 wherever it is not caught)."""

    def __init__(self, slug):
        super().__init__(slug)
        self.slug = slug


def _get_meeting_or_404(slug):
    """The meeting with this slug. Raises _MovedMeeting for an old slug (a current one always
    wins): a view decorated with _follows_old_slugs answers it with a permanent redirect."""
    try:
        return Meeting.objects.for_listing().get(slug=slug)
    except Meeting.DoesNotExist:
        old = MeetingSlug.objects.filter(slug=slug).values_list("meeting__slug", flat=True)
        moved_to = old.first()
        if moved_to is None:
            raise Http404("No meeting here.") from None
        raise _MovedMeeting(moved_to) from None


def _follows_old_slugs(url_name):
    """Printed QR codes, bookmarks and calendar subscriptions keep working after a slug changes:
    301 to the current address, query string kept. Outside cached_page, so never cached."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            try:
                return view(request, slug, *args, **kwargs)
            except _MovedMeeting as moved:
                url = reverse(url_name, args=[moved.slug])
                query = request.META.get("QUERY_STRING", "")
                return redirect(f"{url}?{query}" if query else url, permanent=True)

        return wrapper

    return decorator


@require_safe
@_follows_old_slugs("meeting")
@cached_page
def meeting(request, slug):
    obj = _get_meeting_or_404(slug)
    if obj.status == Meeting.Status.INACTIVE:
        # A link someone saved still answers, and says plainly that the meeting has stopped.
        return render(request, "groups/meeting_gone.html", {"meeting": obj}, status=410)
    viewer = viewer_zone(request.GET.get("tz"), _cookie_tz(request))
    when = None if obj.by_appointment else occurrence(obj, timezone.now(), viewer)
    schema = json.dumps(meeting_schema_org(obj, when, request), ensure_ascii=False)
    return render(
        request,
        "groups/meeting.html",
        {
            "meeting": obj,
            "when": when,
            "viewer": viewer,
            "types_by_category": _types_by_category(obj),
            "stale": checked_long_ago(obj) if obj.status == Meeting.Status.ACTIVE else "",
            "schema_org": schema.replace("<", "\\u003c").replace(">", "\\u003e"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@_follows_old_slugs("meeting_correction")
def meeting_correction(request, slug):
    """Anyone may say what is wrong with a listing; it goes to the volunteers' queue."""
    obj = _get_meeting_or_404(slug)
    return _propose(
        request,
        CorrectionForm(request.POST or None, meeting=obj),
        "groups/correction.html",
        {"meeting": obj},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_new(request):
    """Anyone may tell the volunteers about a meeting that is missing."""
    form = NewMeetingForm(request.POST or None, viewer_tz=_cookie_tz(request))
    return _propose(request, form, "groups/meeting_new.html", {})


def _propose(request, form, template, context):
    context = {**context, "form": form}
    if request.method != "POST":
        return render(request, template, context)
    if form.is_robot:  # the honeypot was filled in: look the same, keep nothing
        return redirect("correction_sent")
    if not ratelimit.allow(request, "propose", settings.CORRECTIONS_PER_HOUR):
        context["limited"] = True
        return render(request, template, context, status=429)
    if not form.is_valid():
        return render(request, template, context, status=400)
    change = form.change_request()
    change.save()
    corrections.note_report(change)
    return redirect("correction_sent")


class ZoneChoice(forms.Form):
    tz = forms.ChoiceField(label=gettext_lazy("Show times in"), required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    automatic = gettext_lazy("My device's time zone (automatic)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = zone_choices()
        self.fields["tz"].choices = [("", self.automatic), *self.groups]


def _safe_next(request, target: str) -> str:
    """A page of this site to go back to, without a ?tz= that would outrank the choice."""
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("meetings")
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "tz"]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


@require_http_methods(["GET", "HEAD", "POST"])
def time_zone(request):
    """Choose the zone times are shown in, by place name (never an IANA name); kept in the
    first-party `tz` cookie. Works without scripts; "my device's zone" hands it back to them."""
    current = viewer_zone(None, _cookie_tz(request))
    chosen = request.COOKIES.get("tz_chosen") == "1"
    if request.method == "POST":
        form = ZoneChoice(request.POST)
        if form.is_valid():
            response = redirect(_safe_next(request, form.cleaned_data["next"]))
            zone = form.cleaned_data["tz"]
            if zone:
                for name, value in (("tz", zone), ("tz_chosen", "1")):
                    response.set_cookie(name, value, max_age=ZONE_COOKIE_AGE, samesite="Lax")
            else:
                response.delete_cookie("tz", samesite="Lax")
                response.delete_cookie("tz_chosen", samesite="Lax")
            return response
        status = 400
    else:
        initial = {"tz": current.name if chosen else "", "next": request.GET.get("next", "")}
        form, status = ZoneChoice(initial=initial), 200
    return render(
        request,
        "groups/time_zone.html",
        {"form": form, "current": current, "chosen": chosen},
        status=status,
    )


@require_safe
def healthz(request):
    """For load balancers: the process answers. No database query, nothing logged. A shared
    cache that cannot be reached is reported ("cache: degraded") but is still a 200: pages are
    served without it (groups.cache), and taking every app server out of rotation because
    Redis is down would turn a slower site into no site."""
    cache.get("healthz")  # one round trip to Redis when it is used; it notices an outage
    degraded = getattr(caches["default"], "degraded", False)
    text = "ok\ncache: degraded (Redis cannot be reached)\n" if degraded else "ok\n"
    return HttpResponse(text, content_type="text/plain")


@require_safe
def correction_sent(request):
    return render(request, "groups/correction_sent.html")


def _types_by_category(meeting):
    """The meeting's types by category, but those naming a language: its languages are listed
    once, as languages."""
    groups = {}
    for meeting_type in meeting.types.all():
        if meeting_type.category == MeetingType.Category.LANGUAGE:
            continue
        groups.setdefault(meeting_type.get_category_display(), []).append(meeting_type)
    return groups


@require_safe
@_follows_old_slugs("meeting_ics")
@cached_page
def meeting_ics(request, slug):
    obj = _get_meeting_or_404(slug)
    if obj.status == Meeting.Status.INACTIVE:
        return HttpResponse(
            _("This meeting is no longer held."),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    return _calendar_response(calendar.build([obj], request), obj.slug)


@require_safe
@cached_page
def meetings_ics(request):
    result = search(
        request.GET, cookie_tz=_cookie_tz(request), paginate=False, limit=CALENDAR_LIMIT
    )
    if result.errors:
        return JsonResponse({"errors": result.errors}, status=400)
    # The file's name in the page's language, in ASCII ("reuniones.ics", "reunions.ics").
    name = referrals_module.file_word(pgettext("calendar file name", "meetings"), "meetings")
    return _calendar_response(calendar.build([r.meeting for r in result.rows], request), name)


def _calendar_response(body: bytes, name: str):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response


@require_safe
@cached_page
def fellowships(request):
    """Every fellowship's facts, alphabetically, with its listed meetings; given ?near=, also
    how many meet in person (or hybrid) near that place, counted through the search's own
    filters in one grouped query. Online meetings are open to anyone anywhere, so they are
    not counted as near."""
    listed = ~Q(meetings__status=Meeting.Status.INACTIVE)
    rows = list(
        Fellowship.objects.annotate(meeting_count=Count("meetings", filter=listed)).order_by("name")
    )
    asked = request.GET.get("near", "").strip()
    context = {"fellowships": rows, "asked": asked, "near": None, "result": {"errors": {}}}
    if asked:
        filterset, queryset = matching({"near": asked, "attendance": ["in_person"]})
        context["form"] = filterset.form  # names the field in the errors partial
        if queryset is None:
            context["result"] = {"errors": errors_of(filterset)}
            return render(request, "groups/fellowships.html", context, status=400)
        counts = dict(
            queryset.order_by()
            .values("fellowship")
            .annotate(n=Count("pk"))
            .values_list("fellowship", "n")
        )
        for row in rows:
            row.near_count = counts.get(row.pk, 0)

        # "Edinburgh, within 15 miles": the place and distance as the search page words them
        # (a label compares as its English key in every language: groups.search.Label).
        words = dict(summarise(filterset))["Near"]
        context["near"] = {"place": filterset.form.origin[2], "words": words}
    return render(request, "groups/fellowships.html", context)


@require_safe
@cached_page
def fellowship(request, slug):
    obj = get_object_or_404(Fellowship, slug=slug)
    result = search(
        {"fellowship": [slug], "tz": request.GET.get("tz", "")},
        cookie_tz=_cookie_tz(request),
        per_page=20,
        listing=True,
    )
    return render(request, "groups/fellowship.html", {"fellowship": obj, "result": result})


@require_safe
def referrals(request):
    """Service staff adjust a search and choose how the sheet looks; "Preview" lists the
    meetings the sheet would print, each of which they may leave out. The form and the preview
    are in the staff member's language, whatever the sheet's."""
    # The form shows the search as asked (not the sheet's defaults added to it), so that the
    # next submission carries only what staff chose.
    filterset, _queryset = matching(request.GET, cookie_tz=_cookie_tz(request))
    options = SheetOptions(request.GET or None)
    errors = errors_of(filterset)
    if options.is_bound and not options.is_valid():
        errors.update({name: list(messages) for name, messages in options.errors.items()})
    context = {"result": {"errors": errors}, "form": filterset.form, "options": options}
    if "preview" in request.GET and not errors:
        sheet, status = _sheet(request, preview=True)
        if status == 200:
            context.update(preview=sheet, result=sheet["result"])
    return render(request, "referrals/form.html", context, status=400 if errors else 200)


def _sheet(request, *, preview=False):
    """The sheet's context and status: the same search as the finder, in week order. Its words
    are in the sheet's language (`lang`; for the preview, the staff member's), and so is its
    live link; its links to the PDF and back to the form, and any errors, are in the staff
    member's."""
    options = SheetOptions(request.GET)
    staff = referrals_module.active_language()
    valid = options.is_valid()
    chosen = options.cleaned_data["lang"] if valid else None
    language = chosen if chosen and not preview else staff
    params = referrals_module.search_params(request.GET)
    # Printed in the service's time: the place searched, else the browser's zone, else the
    # directory's; online meetings from elsewhere are converted and filed under their day.
    with translation.override(language):
        result = search(
            params,
            cookie_tz=_cookie_tz(request),
            place_first=True,
            paginate=False,
            limit=referrals_module.SHEET_LIMIT + 1,
        )
        if not result.errors and valid:
            context = _sheet_context(request, result, options, params)
    errors = dict(result.errors)
    if errors and language != staff:
        # The same errors, in the words of the form they are shown on.
        errors = errors_of(matching(params, cookie_tz=_cookie_tz(request))[0])
    if not valid:
        errors.update({name: list(messages) for name, messages in options.errors.items()})
    if errors:
        result.errors = errors
        # The form again, with the search as asked (not with the sheet's defaults added).
        form = matching(request.GET, cookie_tz=_cookie_tz(request))[0].form
        return {"result": result, "form": form, "options": options}, 400
    # Reversed in the staff member's language: the form opens in theirs, whatever the sheet's.
    query = context["query"] = referrals_module.sheet_query(request.GET, chosen)
    context["pdf_link"] = f"{reverse('referral_sheet_pdf')}?{query}"
    context["form_link"] = f"{reverse('referrals')}?{query + '&' if query else ''}preview=1"
    context["staff_language"] = staff
    return context, 200


def _sheet_context(request, result, options, params) -> dict:
    """What the sheet shows, in the active language (the sheet's)."""
    listed = referrals_module.dressed(result.rows[: referrals_module.SHEET_LIMIT])
    # Left out here rather than in SQL: the preview lists them too, so that they can be kept.
    dropped = referrals_module.dropped(request.GET)
    rows = [row for row in listed if row.meeting.slug not in dropped]
    fellowships = {row.meeting.fellowship for row in rows}
    today = timezone.localdate(result.now, result.viewer.zone or None)
    origin = result.filterset.form.origin
    live = referrals_module.live_link(params)
    # The search page in the sheet's language (/es/meetings/…), for the client to check.
    live_path = reverse("meetings")
    return {
        "result": result,
        "options": options.cleaned_data,
        "language": referrals_module.active_language(),
        "listed": listed,
        "rows": rows,
        "dropped": dropped,
        "count": len(rows),
        "left_out": len(listed) - len(rows),
        "sections": referrals_module.groups_of(rows, options.cleaned_data["group_by"]),
        "legend": referrals_module.legend(rows),
        "summary": _summary_for_sheet(result),
        "more": len(result.rows) > referrals_module.SHEET_LIMIT,
        "limit": referrals_module.SHEET_LIMIT,
        "fellowships": referrals_module.about(fellowships),
        "live_url": request.build_absolute_uri(f"{live_path}{'?' if live else ''}{live}"),
        "today": today,
        "printed": referrals_module.printed_date(today),
        "page_counter": referrals_module.page_counter_css(),
        "filename": referrals_module.pdf_name(origin[2] if origin else None, today),
    }


def _summary_for_sheet(result) -> list[tuple[str, str]]:
    """The search in words as the sheet prints it: without its order (always the week's) and
    status (always "meeting" unless asked otherwise). The labels are in the sheet's language
    and compare as their English keys (groups.search.Label)."""
    return [(label, text) for label, text in result.summary if label not in ("Order", "Status")]


def _in_language(response, language: str):
    response["Content-Language"] = language
    return response


@require_safe
@cached_page
def referral_sheet(request):
    # Cached under its address, which names the sheet's language (`lang`), and the page's.
    context, status = _sheet(request)
    if status != 200:
        return render(request, "referrals/form.html", context, status=status)
    with translation.override(context["language"]):
        response = render(request, "referrals/sheet.html", context)
    # Its page numbers' style, in the sheet's language, is allowed by its hash like sheet.css.
    digest = base64.b64encode(hashlib.sha256(context["page_counter"].encode()).digest()).decode()
    response._csp_update = {"style-src": [f"'sha256-{digest}'"]}
    return _in_language(response, context["language"])


@require_safe
@cached_page
def referral_sheet_pdf(request):
    context, status = _sheet(request)
    if status != 200:
        return render(request, "referrals/form.html", context, status=status)
    with translation.override(context["language"]):
        html = render_to_string("referrals/sheet.html", {**context, "pdf": True}, request=request)
    response = HttpResponse(referrals_module.pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{context["filename"]}"'
    return _in_language(response, context["language"])


def _cors(response):
    # Other sites may read the feed from a browser; it holds only what the directory publishes.
    response["Access-Control-Allow-Origin"] = "*"
    return response


# Search parameters that read the clock ("today", "starting within the hour", a weekday or a
# time of day on the viewer's clock, which daylight saving moves): such a feed moves with the
# minute. Without them a feed's bytes depend on the listings and its address only.
FEED_CLOCK_PARAMETERS = ("day", "time", "soon", "start_after", "start_before")
# Anyone may keep a feed (it is the same for every reader and holds only what the directory
# publishes), but must ask again before using it: asking costs one small query and a 304, and
# a volunteer's fix is then in the very next read, not five minutes later.
FEED_CACHE_CONTROL = "public, max-age=0, must-revalidate"


def _feed(request, params, edition=feeds.MIXED):
    """A Meeting Guide JSON feed of a search, streamed, with ETag and Last-Modified so that a
    reader asking again gets a 304 until something changes. Both feed views answer with it.

    Both are known before anything is built, from the last change to any listing
    (ListingsVersion, which every save, check, approval and import moves on: groups.signals),
    the feed's full address (its entries' links name the scheme and host), the site's name and
    address (every entry's entity), the feeds module's code (groups.feeds.FORMAT) and, for a
    search on the clock, the minute. Last-Modified is the later of that change and the minute
    it depends on, sent only once that second is over: an If-Modified-Since of the same second
    could not tell a later change in it (the ETag can, and If-None-Match is checked first)."""
    changed = listings_changed()
    now = time.time()
    clock = any(name in params for name in FEED_CLOCK_PARAMETERS)
    key = "|".join(
        (
            changed.isoformat() if changed else "-",
            request.build_absolute_uri(),
            str(edition),
            settings.SITE_NAME,
            settings.SITE_URL,
            feeds.FORMAT,
            str(int(now // 60)) if clock else "",
        )
    )
    etag = weak_etag(key)
    modified = max(int(changed.timestamp()) if changed else 0, int(now // 60) * 60 if clock else 0)
    headers = {"ETag": etag, "Cache-Control": FEED_CACHE_CONTROL}
    if modified and modified < int(now):
        headers["Last-Modified"] = http_date(modified)
    else:
        modified = None
    if unchanged(request, etag, modified):
        response = HttpResponseNotModified()
    else:
        filterset, queryset = matching(params)
        if queryset is None:
            return _cors(JsonResponse({"errors": errors_of(filterset)}, status=400))
        response = StreamingHttpResponse(
            feeds.stream(queryset, request, filterset.regions, edition=edition),
            content_type="application/json",
        )
    for name, value in headers.items():
        response[name] = value
    # As the 200 it stands for says (GZipMiddleware compresses that one).
    patch_vary_headers(response, ("Accept-Encoding",))
    return _cors(response)


@require_safe
def meeting_guide_feed(request):
    """The mixed feed of a search (by default every listed meeting of every fellowship)."""
    return _feed(request, request.GET)


@require_safe
def fellowship_feed(request, slug):
    """One fellowship's feed, in its own type codes (groups.feeds), of the same search."""
    known = {row[0]: row for row in catalogue().fellowships}
    if slug not in known:
        raise Http404("No such fellowship.")
    params = request.GET.copy()
    params.setlist("fellowship", [slug])
    return _feed(request, params, feeds.for_fellowship(known[slug][3]))


def feed_path(params) -> str:
    """The feed a page of this search links for discovery: its fellowship's when it shows
    exactly one fellowship, else the mixed feed, with the rest of the search."""
    params = params.copy()
    chosen = set(params.getlist("fellowship"))
    known = {row[0] for row in catalogue().fellowships}
    if len(chosen) == 1 and chosen <= known:
        params.pop("fellowship")
        path = reverse("fellowship_feed", args=[chosen.pop()])
    else:
        path = reverse("meeting_guide_feed")
    params.pop("page", None)
    return f"{path}?{params.urlencode()}" if params else path
