"""The proxy a download goes through, as urllib picks it (a variable, or an installed opener's ProxyHandler), with
NO_PROXY's address ranges read as curl and requests read them; named so that a failure through it says which proxy to
check, its password written ***."""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
import urllib.request
from typing import NamedTuple


class Proxy(NamedTuple):
    """The proxy a download goes through: its URL, what names it (a variable, an opener), and what to check."""
    server: str
    named_by: str
    check: str


def installed() -> urllib.request.OpenerDirector | None:
    """The opener installed with `urllib.request.install_opener` (or urlopen's own, once called), None where none is.
    urllib has no public reader of it: its private name is read, and a Python without that name reads as none."""
    return getattr(urllib.request, "_opener", None)


def proxy(url: str) -> Proxy | None:
    """The proxy a download of `url` goes through, and what names it; None if none. The proxies are the installed
    opener's ProxyHandlers', where one is installed (`urllib.request.install_opener`, or urlopen's own, once called), as
    answer.within takes them; else the environment's, as urlopen's own opener (build_opener's) takes them."""
    parts = urllib.parse.urlsplit(url)
    server, key = _routed(installed() or urllib.request.build_opener(), parts.scheme, parts.netloc)
    if not server:
        return None
    starred = _starred(parts.hostname or "")
    first = (f"write {starred} in NO_PROXY as {starred[1:]} to connect to {parts.hostname} directly (urllib, curl "
             f"and pip read no `*.` in it), or " if starred else "")
    if variable := _variable(key, server):  # build_opener's ProxyHandler reads the environment too
        return Proxy(server, variable, f"{first}check {variable}, or unset it to connect directly")
    return Proxy(server, "the opener installed with urllib.request.install_opener",
                 f"{first}check that proxy, or install an opener without it to connect directly")


def _no_proxy() -> list[str]:
    return [entry.strip() for entry in urllib.request.getproxies_environment().get("no", "").split(",")]


def _starred(host: str) -> str | None:
    """The `*.example.com` in NO_PROXY that would hold `host`, None if none: urllib, curl and requests (pip) read no
    `*.` (`.example.com` is the domain), so a download to it went through the proxy."""
    return next((entry for entry in _no_proxy() if entry.startswith("*.") and len(entry) > 2
                 and f".{host}".lower().endswith(entry[1:].lower())), None)


def bypassed(host: str) -> bool:
    """Whether NO_PROXY sends a request to `host` (a name or an address, with or without `:port`) past the proxy: as
    urllib reads it (a name, a domain, `host:port`, `*`), or by an address range in it that holds the address
    (`10.0.0.0/8`), as curl, requests and so pip read it, where urllib read the range as a name that no host has."""
    if urllib.request.proxy_bypass(host):
        return True
    try:
        address = ipaddress.ip_address(urllib.parse.urlsplit(f"//{host}").hostname or "")
    except ValueError:
        return False
    for entry in _no_proxy():
        try:
            if "/" in entry and address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:  # not a range
            continue
    return False


def bypassing(handler: urllib.request.BaseHandler) -> urllib.request.BaseHandler:
    """`handler`, where it is a ProxyHandler, made to send a request to a host that `bypassed` names past its proxy."""
    if isinstance(handler, urllib.request.ProxyHandler):
        proxy_open = handler.proxy_open

        def direct_or_through(request, proxy, kind):
            return None if request.host and bypassed(request.host) else proxy_open(request, proxy, kind)

        handler.proxy_open = direct_or_through
        # Its per-scheme openers are bound to proxy_open as it was when it was made: a copy's to the original's, which
        # sent a request through a proxy of another scheme (http:// through https://) by its own parent, the installed
        # opener, out of answer.within's deadline.
        urllib.request.ProxyHandler.__init__(handler, handler.proxies)
    return handler


def _routed(opener: urllib.request.OpenerDirector, scheme: str, host: str) -> tuple[str | None, str]:
    """The proxy `opener` connects to for a `scheme` request to `host` (None if none, or no_proxy names `host`), and the
    scheme whose proxy it is, as urllib's ProxyHandler.proxy_open routes the request: a handler's keys are lower-cased
    ({"HTTPS": ...} is https's; of two the same but for case, the later), and each handler in turn sets the request's
    proxy, so the last one's is connected to. A request handed to a proxy of another scheme (an http:// request through
    an https:// proxy) is opened again as that scheme's, from the first handler: an https proxy set then is the one
    connected to, tunnelling to the first (the line named the first, which urllib reached only through it)."""
    server, key, tunnel, kind = None, scheme, False, scheme
    for _ in range(8):  # urllib itself recurses without end where proxies hand a request round in a circle
        for handler in opener.handle_open.get(kind, ()):
            if not isinstance(handler, urllib.request.ProxyHandler) or bypassed(host):
                continue
            if (url := {k.lower(): value for k, value in handler.proxies.items()}.get(kind)) is None:
                continue
            before, (through, host) = scheme, scheme_and_host(url)
            through = through or before
            if scheme == "https" and not tunnel:  # Request.set_proxy: the first proxy is tunnelled to
                tunnel = True
            else:
                scheme = through
            server, key = url, kind
            if before not in (through, "https"):  # opened again, as `scheme`'s
                kind = scheme
                break
        else:
            break
    return server, key


def scheme_and_host(url: str) -> tuple[str | None, str]:
    """A proxy's scheme (None where it gives none: `host:3128`) and host, as urllib's ProxyHandler reads them."""
    if "://" not in url:
        return None, url.split("/")[0]
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc.rpartition("@")[2]


def _variable(scheme: str, server: str) -> str | None:
    """The environment variable that names `server` as `scheme`'s proxy, None if none does. urllib reads
    `<scheme>_proxy` in any case, one ending in lower-case `_proxy` first (https_proxy, then HTTPS_PROXY)."""
    named = [name for name, value in os.environ.items() if name.lower() == f"{scheme}_proxy" and value == server]
    return max(named, key=lambda name: name.endswith("_proxy"), default=None)


def unsigned(url: str) -> str:
    """A proxy's `url` with the password in it written ***: the line, with it, went into logs and bug reports."""
    scheme, sep, rest = url.rpartition("://")
    userinfo, at, host = rest.rpartition("@")
    return f"{scheme}{sep}{userinfo.partition(':')[0]}:***@{host}" if ":" in userinfo else url
