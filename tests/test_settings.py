"""The settings refuse to start an unsafe production site, and the environment picks the database.

Each case starts a fresh Python process, as a server would, with only the variables given."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'], settings.DEBUG, settings.TIME_ZONE, "
    "settings.USE_TZ)"
)


def start(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    base.update(DJANGO_SETTINGS_MODULE="recovery_directory.settings", **env)
    base = {k: v for k, v in base.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=base, capture_output=True, text=True
    )


def test_it_runs_on_sqlite_with_debug_on_when_nothing_is_set():
    result = start(SECRET_KEY=None, ALLOWED_HOSTS=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "UTC", "True"]


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = start(DEBUG="false", SECRET_KEY=None, ALLOWED_HOSTS="directory.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off():
    result = start(DEBUG="false", SECRET_KEY="s" * 50, ALLOWED_HOSTS=None)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_it_starts_in_production_with_a_secret_and_hosts():
    result = start(DEBUG="false", SECRET_KEY="s" * 50, ALLOWED_HOSTS="directory.example.org")
    assert result.returncode == 0, result.stderr
    assert "False" in result.stdout.split()


def test_it_switches_to_postgresql_with_database_url():
    result = start(DATABASE_URL="postgres://directory@db.internal:5432/directory")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_it_shares_a_redis_cache_when_redis_url_is_set():
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "recovery_directory.settings"}
    shared = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**env, "REDIS_URL": "redis://127.0.0.1:6379/1"},
    )
    # Redis, forgiving: pages go on when it cannot be reached (groups.cache).
    assert shared.stdout.strip() == "groups.cache.ForgivingRedisCache"
    env.pop("REDIS_URL", None)
    local = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert local.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"


def test_it_names_a_bad_boolean_value():
    result = start(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr
