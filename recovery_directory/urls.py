from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import path

from groups import languages, maps, openapi, views

# The pages people read, in English at these addresses and in each other language under its
# prefix (/es/meetings/): groups.languages says why.
urlpatterns = i18n_patterns(
    path("", views.home, name="home"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings.ics", views.meetings_ics, name="meetings_ics"),
    path("meetings/map.json", maps.meetings_map, name="meetings_map"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("corrections/sent/", views.correction_sent, name="correction_sent"),
    path("meetings/<slug:slug>.ics", views.meeting_ics, name="meeting_ics"),
    path("meetings/<slug:slug>/", views.meeting, name="meeting"),
    path("meetings/<slug:slug>/correction/", views.meeting_correction, name="meeting_correction"),
    path("fellowships/", views.fellowships, name="fellowships"),
    path("fellowships/<slug:slug>/", views.fellowship, name="fellowship"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/sheet/", views.referral_sheet, name="referral_sheet"),
    path("referrals/sheet.pdf", views.referral_sheet_pdf, name="referral_sheet_pdf"),
    path("time-zone/", views.time_zone, name="time_zone"),
    prefix_default_language=False,
) + [
    path("language/", languages.choose, name="choose_language"),
    path("api/meetings/", views.api_meetings, name="api_meetings"),
    path("api/openapi.json", openapi.openapi, name="openapi"),
    path("feeds/meeting-guide.json", views.meeting_guide_feed, name="meeting_guide_feed"),
    path("feeds/<slug:slug>/meeting-guide.json", views.fellowship_feed, name="fellowship_feed"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
