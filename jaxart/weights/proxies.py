"""The proxy a download goes through, as urllib picks it (a variable, or an installed opener's ProxyHandler), named
so that a failure through it says which proxy to check, its password written ***."""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
import urllib.request
from typing import NamedTuple

from jaxart.weights import answer


class Proxy(NamedTuple):
    """The proxy a download goes through: its URL, what names it (a variable, an opener), and what to check."""
    server: str
    named_by: str
    check: str


def proxy(url: str) -> Proxy | None:
    """The proxy urllib sends `url` through, and what names it; None if none. The proxies are the installed opener's
    ProxyHandlers', where one is installed (`urllib.request.install_opener`, or urlopen's own, once called), as
    answer.within takes them; else the environment's, as urlopen's own opener (build_opener's) takes them."""
    parts = urllib.parse.urlsplit(url)
    server, key = _routed(answer.installed() or urllib.request.build_opener(), parts.scheme, parts.netloc)
    if not server:
        return None
    unread = _unread_range(parts.hostname or "")
    first = (f"name {parts.hostname} in NO_PROXY to connect directly (its {unread} is an address range, which Python's "
             f"urllib does not read), or " if unread else "")
    if variable := _variable(key, server):  # build_opener's ProxyHandler reads the environment too
        return Proxy(server, variable, f"{first}check {variable}, or unset it to connect directly")
    return Proxy(server, "the opener installed with urllib.request.install_opener",
                 f"{first}check that proxy, or install an opener without it to connect directly")


def _unread_range(host: str) -> str | None:
    """The address range in NO_PROXY (`10.0.0.0/8`, as curl and requests read it) that holds `host`, an IP address,
    None if none does: urllib reads each entry as a host name or domain, so a download to it went through the proxy."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    for entry in urllib.request.getproxies_environment().get("no", "").split(","):
        try:
            if "/" in entry and address in ipaddress.ip_network(entry.strip(), strict=False):
                return entry.strip()
        except ValueError:  # not a range: one urllib reads
            continue
    return None


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
            if not isinstance(handler, urllib.request.ProxyHandler) or urllib.request.proxy_bypass(host):
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
