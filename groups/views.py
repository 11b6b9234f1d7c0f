from django.shortcuts import get_object_or_404, render

from groups.models import Fellowship, Meeting


def home(request):
    fellowships = Fellowship.objects.all()
    return render(request, "groups/home.html", {"fellowships": fellowships})


def meeting(request, slug):
    obj = get_object_or_404(Meeting.objects.for_listing(), slug=slug)
    return render(request, "groups/meeting.html", {"meeting": obj})


def fellowship(request, slug):
    obj = get_object_or_404(Fellowship, slug=slug)
    meetings = obj.meetings.listed().for_listing()[:50]
    return render(request, "groups/fellowship.html", {"fellowship": obj, "meetings": meetings})
