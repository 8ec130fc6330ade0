"""A picture from another site, fetched once and stored like an upload, so a post
pasted from elsewhere never keeps loading pictures from other sites.

Rules, each enforced here:
- Only http and https addresses, also after a redirect (at most `MAX_REDIRECTS`).
- Never an address inside our own network: the address a connection actually
  goes to must be public (not private, loopback, link-local, reserved or
  multicast), checked for each address the name resolves to, so a name that
  resolves to an inner address is refused too. `PICTURE_FETCH_ALLOW_LOOPBACK`
  (for the tests' own server) lets loopback through, nothing else.
- At most `PICTURE_MAX_BYTES`, and `FETCH_SECONDS` in all.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import unquote, urlsplit

from flask import current_app

from ..models import Picture
from .images import PictureError, PictureTooLarge
from .store import save_picture, size_limit, too_large_message

FETCH_SECONDS = 15
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
USER_AGENT = "leadsite-picture-import/1"


def allowed_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if ip.is_loopback and current_app.config.get("PICTURE_FETCH_ALLOW_LOOPBACK"):
        return True
    return ip.is_global and not ip.is_multicast


def guarded_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source=None):
    """`socket.create_connection`, trying only the resolved addresses allowed."""
    host, port = address
    refused = None
    for family, kind, proto, _, peer in socket.getaddrinfo(
        host, port, 0, socket.SOCK_STREAM
    ):
        if not allowed_address(peer[0]):
            refused = PictureError("That address is not on the public internet.")
            continue
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(peer)
            return sock
        except OSError as error:
            sock.close()
            refused = error
    raise refused or OSError(f"no address for {host}")


class GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = guarded_connection


class GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = guarded_connection


class GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(GuardedHTTPConnection, req)


class GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(GuardedHTTPSConnection, req, context=self._context)


class WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise PictureError("That address sent us somewhere that is not a web page.")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def opener() -> urllib.request.OpenerDirector:
    """Web addresses only: no proxy, no files, no FTP."""
    director = urllib.request.OpenerDirector()
    for handler in (
        GuardedHTTPHandler(),
        GuardedHTTPSHandler(),
        WebOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        director.add_handler(handler)
    return director


def fetch(url: str) -> bytes:
    """The bytes at a public web address, within the size and time limits."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise PictureError("Only pictures at http:// or https:// addresses are taken.")
    deadline = time.monotonic() + FETCH_SECONDS
    limit = size_limit()
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with opener().open(request, timeout=FETCH_SECONDS) as response:
            if int(response.headers.get("Content-Length") or 0) > limit:
                raise PictureTooLarge(too_large_message())
            body = bytearray()
            while chunk := response.read(CHUNK):
                body += chunk
                if len(body) > limit:
                    raise PictureTooLarge(too_large_message())
                if time.monotonic() > deadline:
                    raise PictureError("That picture took too long to arrive.")
            return bytes(body)
    except PictureError:
        raise
    except urllib.error.URLError as error:
        if isinstance(error.reason, PictureError):
            raise error.reason from error
        raise PictureError("That picture could not be fetched.") from error
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise PictureError("That picture could not be fetched.") from error


def import_remote_picture(url: str, alt: str = "") -> Picture:
    """Fetch a picture from another site and store it like an upload (added, not
    committed); PictureError with a message for the owner when refused."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return save_picture(fetch(url), name, alt)
