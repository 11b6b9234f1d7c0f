"""gunicorn's configuration for the directory (`make serve`, and production).

    gunicorn -c gunicorn.conf.py recovery_directory.wsgi

Every value can be changed by an environment variable (GUNICORN_CMD_ARGS, or the ones below).
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")

# Pages are CPU-bound Python with short database queries: one process per core and one more
# for each core's waits on the database, two threads each so that a keep-alive connection or a
# slow client does not hold a whole process.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))

# Load the app once, before forking: workers share its memory, and wsgi.py freezes it for the
# garbage collector.
preload_app = True

# A referral PDF of 200 meetings takes about 2 s; the whole-directory feed streams for longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then, so that a slow leak can never grow for ever.
max_requests = 20_000
max_requests_jitter = 2_000

# No access log: a search's query string says what someone is looking for (REFERENCE.md §5).
# Errors still go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")

# Behind a proxy on the same host or network: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
