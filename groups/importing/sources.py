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
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
        raise SourceError(_only_http(source))
    if is_url(source):
        return fetch(source, timeout)
    path = pathlib.Path(source)
    named = {"source": source}
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(
                _("%(source)s is larger than %(size)s.") % {**named, "size": _size(MAX_BYTES)}
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(_("No such file: %(source)s") % named) from None
    except IsADirectoryError:
        raise SourceError(_("%(source)s is a folder, not a file.") % named) from None
    except PermissionError:
        raise SourceError(_("Not allowed to read %(source)s.") % named) from None


def _only_http(url: str) -> str:
    return _("%(url)s: only http:// and https:// addresses can be fetched.") % {"url": url}


def _size(n: int) -> str:
    if n >= 2**20:
        return _("%(number)s MB") % {"number": n // 2**20}
    number = number_format(n, force_grouping=True)
    return ngettext("%(number)s byte", "%(number)s bytes", n) % {"number": number}


# Addresses ----------------------------------------------------------------------------------


def why_not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why the directory will not fetch from this address, in words; "" when it is public."""
    if address.version == 6 and address.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        address = address.ipv4_mapped
    # In this order: loopback, unspecified, link-local and reserved ones are also "private".
    # Translators: each completes "<host> is …" (or "<host> is at <address>, …").
    for attribute, words in (
        ("is_loopback", _("this server itself (loopback)")),
        ("is_unspecified", _("an unspecified address")),
        ("is_link_local", _("a link-local address (such as a cloud's metadata service)")),
        ("is_reserved", _("a reserved address")),
        ("is_private", _("on a private network")),
        ("is_multicast", _("a multicast address")),
    ):
        if getattr(address, attribute):
            return words
    return "" if address.is_global else _("not a public address")


def _checking() -> bool:
    return not getattr(settings, SETTING, False)


def _resolve(host: str, port: int) -> list[tuple]:
    """The addresses to connect to, each checked; SourceError if any of them is not public
    (a name that also points inside is not trusted for its other answers)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise SourceError(
            _("There is no server called %(host)s (its name was not found).") % {"host": host}
        ) from None
    if _checking():
        for *_info, sockaddr in found:
            address = ipaddress.ip_address(sockaddr[0].split("%")[0])
            why = why_not_public(address)
            if why:
                if host.strip("[]") == str(address):
                    message = _(
                        "%(host)s is %(why)s: the directory fetches only from public addresses "
                        "(the server's operator may allow others with %(setting)s)."
                    )
                else:
                    message = _(
                        "%(host)s is at %(address)s, %(why)s: the directory fetches only from "
                        "public addresses (the server's operator may allow others with "
                        "%(setting)s)."
                    )
                raise SourceError(
                    message % {"host": host, "address": address, "why": why, "setting": SETTING}
                )
    return found


def check_url(url: str) -> None:
    """SourceError, in words, unless the directory may fetch this URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SourceError(_only_http(url))
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise SourceError(_("%(url)s: the port is not a number.") % {"url": url}) from None
    if not host:
        raise SourceError(_("%(url)s names no server.") % {"url": url})
    _resolve(host, port or (443 if parts.scheme == "https" else 80))


def _connect(address, timeout, source_address=None):
    """socket.create_connection, to an address that was checked as the connection is made."""
    host, port = address
    error = None
    for *_info, sockaddr in _resolve(host, port):
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
            raise SourceError(
                ngettext(
                    "%(url)s redirects more than %(most)s time.",
                    "%(url)s redirects more than %(most)s times.",
                    MAX_REDIRECTS,
                )
                % {"url": request.full_url, "most": MAX_REDIRECTS}
            )
        try:
            check_url(newurl)
        except SourceError as error:
            fp.close()
            raise SourceError(
                _("%(url)s redirects to %(target)s: %(why)s")
                % {"url": request.full_url, "target": newurl, "why": error}
            ) from None
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
    named = {"url": url, "seconds": f"{timeout:g}"}
    too_big = _("%(url)s sent more than %(size)s, the most the directory reads.") % {
        "url": url,
        "size": _size(MAX_BYTES),
    }
    too_slow = (
        ngettext(
            "%(url)s did not answer within %(seconds)s second.",
            "%(url)s did not answer within %(seconds)s seconds.",
            round(timeout),
        )
        % named
    )
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
                    raise SourceError(
                        ngettext(
                            "%(url)s did not finish sending within %(seconds)s second.",
                            "%(url)s did not finish sending within %(seconds)s seconds.",
                            round(timeout),
                        )
                        % named
                    )
                chunks.append(chunk)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the connection
        if 300 <= error.code < 400:  # urllib refuses a redirect to file:, data:, …
            where = error.headers.get("Location", "")
            raise SourceError(
                _(
                    "%(url)s redirects to %(target)s: only http:// and https:// addresses can be "
                    "fetched."
                )
                % {"url": url, "target": where}
            ) from None
        raise SourceError(
            _("%(url)s answered HTTP %(code)s %(reason)s.")
            % {"url": url, "code": error.code, "reason": error.reason}
        ) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise SourceError(too_slow) from None
        if isinstance(error.reason, ConnectionRefusedError):
            raise SourceError(
                _("Could not reach %(url)s: its server refused the connection.") % {"url": url}
            ) from None
        raise SourceError(
            _("Could not reach %(url)s: %(reason)s.") % {"url": url, "reason": error.reason}
        ) from None
    except TimeoutError:
        raise SourceError(too_slow) from None
    except (http.client.HTTPException, OSError) as error:
        raise SourceError(
            _("%(url)s broke off its answer (%(error)s).") % {"url": url, "error": error}
        ) from None
    return b"".join(chunks)
