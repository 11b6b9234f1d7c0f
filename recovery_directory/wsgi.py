"""The WSGI application gunicorn serves (`gunicorn recovery_directory.wsgi`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery_directory.settings")

application = get_wsgi_application()

# A page allocates tens of thousands of short-lived objects. Python's default collector runs
# every 700 allocations and scans everything loaded at start-up each time it reaches the oldest
# generation; freezing what is loaded now and collecting less often saves about 5 ms a search
# (bench/search.py). Memory stays bounded: collections still run, less often.
gc.collect()
gc.freeze()
gc.set_threshold(20_000, 20, 20)
