from django.conf import settings


def site(request):
    # site_url: the public address, for links that must be absolute (feed discovery).
    return {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL.rstrip("/")}
