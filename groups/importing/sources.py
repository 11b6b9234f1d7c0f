"""Reads an import's source: a file, or an http(s) URL.

A URL comes from whoever set up the source, and a subscribed one is fetched again and again by
the server itself: it must not become a way to read the server's own network (a cloud's
metadata address, an admin page on localhost). So only http(s) is fetched, and only from public
addresses: every address the host name resolves to is checked, before connecting and again on
each redirect (followed here, at most MAX_REDIRECTS), and the connection is made to an address
that was checked, so a name that answers differently a moment later gains nothing. Proxy
variables are not used, for the same reason. `IMPORT_ALLOW_PRIVATE_ADDRESSES` turns the address
check off, for a directory that imports from its own network (and for tests on loopback).

A download is capped at MAX_BYTES and must finish within its time limit.
"""

import http.client
import ipaddress
import pathlib
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT_SECONDS = 30
MAX_BYTES = 100 * 1024 * 1024  # a 10,000-meeting feed is about 9 MB
MAX_REDIRECTS = 5
CHUNK = 256 * 1024
SETTING = "IMPORT_ALLOW_PRIVATE_ADDRESSES"


class SourceError(Exception):
    """The source could not be read; the message says why, for a person."""


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def read(source: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    if "://" in source and not is_url(source):
        raise SourceError(f"{source}: only http:// and https:// addresses can be fetched.")
    if is_url(source):
        return fetch(source, timeout)
    path = pathlib.Path(source)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(f"{source} is larger than {_size(MAX_BYTES)}.")
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"No such file: {source}") from None
    except IsADirectoryError:
        raise SourceError(f"{source} is a folder, not a file.") from None
    except PermissionError:
        raise SourceError(f"Not allowed to read {source}.") from None


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n:,} bytes"


# Addresses ----------------------------------------------------------------------------------


def why_not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why the directory will not fetch from this address, in words; "" when it is public."""
    if address.version == 6 and address.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        address = address.ipv4_mapped
    # In this order: loopback, unspecified, link-local and reserved ones are also "private".
    for attribute, words in (
        ("is_loopback", "this server itself (loopback)"),
        ("is_unspecified", "an unspecified address"),
        ("is_link_local", "a link-local address (such as a cloud's metadata service)"),
        ("is_reserved", "a reserved address"),
        ("is_private", "on a private network"),
        ("is_multicast", "a multicast address"),
    ):
        if getattr(address, attribute):
            return words
    return "" if address.is_global else "not a public address"


def _checking() -> bool:
    return not getattr(settings, SETTING, False)


def _resolve(host: str, port: int) -> list[tuple]:
    """The addresses to connect to, each checked; SourceError if any of them is not public
    (a name that also points inside is not trusted for its other answers)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise SourceError(f"There is no server called {host} (its name was not found).") from None
    if _checking():
        for *_, sockaddr in found:
            address = ipaddress.ip_address(sockaddr[0].split("%")[0])
            why = why_not_public(address)
            if why:
                where = (
                    f"{host} is" if host.strip("[]") == str(address) else f"{host} is at {address},"
                )
                raise SourceError(
                    f"{where} {why}: the directory fetches only from public addresses (the "
                    f"server's operator may allow others with {SETTING})."
                )
    return found


def check_url(url: str) -> None:
    """SourceError, in words, unless the directory may fetch this URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SourceError(f"{url}: only http:// and https:// addresses can be fetched.")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise SourceError(f"{url}: the port is not a number.") from None
    if not host:
        raise SourceError(f"{url} names no server.")
    _resolve(host, port or (443 if parts.scheme == "https" else 80))


def _connect(address, timeout, source_address=None):
    """socket.create_connection, to an address that was checked as the connection is made."""
    host, port = address
    error = None
    for *_, sockaddr in _resolve(host, port):
        try:
            return socket.create_connection((sockaddr[0], port), timeout, source_address)
        except OSError as failure:
            error = failure
    raise error or OSError(f"no address for {host}")


class _Connection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _SecureConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect  # the TLS handshake still checks the host's name


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, request):
        return self.do_open(_Connection, request)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, request):
        return self.do_open(_SecureConnection, request, context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a URL the directory may fetch, and at most MAX_REDIRECTS."""

    # urllib's own limits, past ours, so that ours says what happened in words.
    max_redirections = max_repeats = MAX_REDIRECTS + 1

    def redirect_request(self, request, fp, code, msg, headers, newurl):
        followed = sum(getattr(request, "redirect_dict", {}).values())
        if followed >= MAX_REDIRECTS:
            fp.close()
            raise SourceError(f"{request.full_url} redirects more than {MAX_REDIRECTS} times.")
        try:
            check_url(newurl)
        except SourceError as error:
            fp.close()
            raise SourceError(f"{request.full_url} redirects to {newurl}: {error}") from None
        return super().redirect_request(request, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    """Only http(s), direct (no proxies, no file:, ftp: or data: URLs)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(),
        _HTTPHandler(),
        _HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _Redirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


# Fetching -----------------------------------------------------------------------------------


def fetch(url: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The body at `url`, or SourceError saying why not, for a person."""
    check_url(url)
    request = urllib.request.Request(
        url, headers={"User-Agent": "MutualAidDirectory-import/1", "Accept": "*/*"}
    )
    too_big = f"{url} sent more than {_size(MAX_BYTES)}, the most the directory reads."
    too_slow = f"{url} did not answer within {timeout:g} seconds."
    deadline = time.monotonic() + timeout
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > MAX_BYTES:
                raise SourceError(too_big)
            chunks, size = [], 0
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise SourceError(too_big)
                if time.monotonic() > deadline:
                    raise SourceError(f"{url} did not finish sending within {timeout:g} seconds.")
                chunks.append(chunk)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the connection
        if 300 <= error.code < 400:  # urllib refuses a redirect to file:, data:, …
            where = error.headers.get("Location", "")
            raise SourceError(
                f"{url} redirects to {where}: only http:// and https:// addresses can be fetched."
            ) from None
        raise SourceError(f"{url} answered HTTP {error.code} {error.reason}.") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise SourceError(too_slow) from None
        if isinstance(error.reason, ConnectionRefusedError):
            raise SourceError(
                f"Could not reach {url}: its server refused the connection."
            ) from None
        raise SourceError(f"Could not reach {url}: {error.reason}.") from None
    except TimeoutError:
        raise SourceError(too_slow) from None
    except (http.client.HTTPException, OSError) as error:
        raise SourceError(f"{url} broke off its answer ({error}).") from None
    return b"".join(chunks)
