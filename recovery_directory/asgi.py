"""The ASGI application, for servers that speak ASGI (the directory is served with WSGI)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery_directory.settings")

application = get_asgi_application()
