"""The shared cache (Redis), and what happens when it cannot be reached: pages go on.

Everything the directory caches can be rebuilt (pages, the catalogue, rate-limit counts), so an
unreachable Redis must never cost a page. ForgivingRedisCache answers from a small cache of the
process's own while Redis fails, logs one warning an outage, and tries Redis again every few
seconds; /healthz says "cache: degraded" meanwhile. Rate limits then count per process: looser
across several app servers, but never off.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5
METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.local = LocMemCache("redis-fallback", {"OPTIONS": {"MAX_ENTRIES": 2000}})
        self.down_until = 0.0

    @property
    def degraded(self) -> bool:
        return time.monotonic() < self.down_until

    def _call(self, name, *args, **kwargs):
        if not self.degraded:
            try:
                found = getattr(RedisCache, name)(self, *args, **kwargs)
            except RedisError as error:
                if not self.down_until:
                    logger.warning("The cache (Redis) cannot be reached: %s. Pages go on.", error)
                self.down_until = time.monotonic() + RETRY_SECONDS
            else:
                if self.down_until:
                    logger.warning("The cache (Redis) answers again.")
                    self.down_until = 0.0
                return found
        return getattr(self.local, name)(*args, **kwargs)


def _forgiving(name):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in METHODS:
    setattr(ForgivingRedisCache, _name, _forgiving(_name))
