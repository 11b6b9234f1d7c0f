"""Reads an import's source: a file, or an http(s) URL."""

import pathlib
import urllib.error
import urllib.request
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 30
MAX_BYTES = 100 * 1024 * 1024  # a 10,000-meeting feed is about 9 MB


class SourceError(Exception):
    """The source could not be read; the message says why, for a person."""


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def read(source: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    if is_url(source):
        return _fetch(source, timeout)
    path = pathlib.Path(source)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(f"{source} is larger than {MAX_BYTES // 2**20} MB.")
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"No such file: {source}") from None
    except IsADirectoryError:
        raise SourceError(f"{source} is a folder, not a file.") from None
    except PermissionError:
        raise SourceError(f"Not allowed to read {source}.") from None


def _fetch(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(
        url, headers={"User-Agent": "MutualAidDirectory-import/1", "Accept": "*/*"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            content = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the connection
        raise SourceError(f"{url} answered HTTP {error.code} {error.reason}.") from None
    except urllib.error.URLError as error:
        raise SourceError(f"Could not reach {url}: {error.reason}.") from None
    except TimeoutError:
        raise SourceError(f"{url} did not answer within {timeout:.0f} seconds.") from None
    if len(content) > MAX_BYTES:
        raise SourceError(f"{url} sent more than {MAX_BYTES // 2**20} MB.")
    return content
