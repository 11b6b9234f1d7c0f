"""A per-address limit on the public forms, kept in Django's cache (shared between app servers
when REDIS_URL is set). The address is kept only as a keyed hash, for an hour at most."""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def client_address(request) -> str:
    value = request.META.get(settings.CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR", "")
    # A list (X-Forwarded-For): the last entry is the one our own proxy added.
    return value.split(",")[-1].strip()


def allow(request, action: str, limit: int) -> bool:
    """Counts this request; False once the address has made `limit` in this hour."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), client_address(request).encode(), hashlib.sha256
    ).hexdigest()[:24]
    key = f"ratelimit:{action}:{digest}:{int(time.time() // WINDOW_SECONDS)}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count <= limit
