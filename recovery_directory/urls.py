from django.contrib import admin
from django.urls import path

from groups import views

urlpatterns = [
    path("", views.home, name="home"),
    path("meetings/<slug:slug>/", views.meeting, name="meeting"),
    path("fellowships/<slug:slug>/", views.fellowship, name="fellowship"),
    path("admin/", admin.site.urls),
]
