"""The database unreachable (restarting, failed over, out of connections): a short page that
says so, with a 503 and Retry-After, rather than a 500 and a traceback in the log for every
request. Nothing needs restarting afterwards: Django opens a new connection for the next
request (CONN_HEALTH_CHECKS drops a broken persistent one before it is used)."""

import logging

from django.db import InterfaceError, OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # One line, without the traceback or the request's search terms.
        logger.warning("Database unavailable: %s", str(exception).splitlines()[0][:200])
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
