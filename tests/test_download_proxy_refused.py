"""A proxy that refuses an https:// URL's CONNECT (403: its rules do not allow the host) is told so at once, naming the
proxy and the host, where it was retried as a cut-off download; one that could not reach the server (502, 504) is
asked again, a bounded number of times, and the line says the proxy could not connect."""

from __future__ import annotations

import pytest

import test_download
import test_download_opener
from jaxart.errors import WeightsError
from jaxart.weights import fetch
from test_download import FAST, visible_files

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too
installed = test_download_opener.installed
URL = "https://weights.invalid/vgg16_test.h5"


def _answering(status: bytes):
    """Yields (its URL, the request heads it got): a proxy that answers every CONNECT with `status`."""
    return test_download_opener._proxy(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def test_a_proxy_that_refuses_the_host_is_told_at_once_naming_it(serve, weights_dir, installed, monkeypatch):
    serve(["ok"])  # registers "test"; the download never reaches it
    notices = []
    with _answering(b"403 Forbidden") as (proxy, heads):
        host = proxy.removeprefix("http://")
        monkeypatch.setenv("HTTPS_PROXY", f"http://me:secret@{host}")
        with pytest.raises(WeightsError) as error:
            fetch("test", **{**FAST, "attempts": 3}, url=URL, notice=notices.append)
    message = str(error.value)
    assert (f"from {URL} through the proxy http://me:***@{host} that HTTPS_PROXY names (the proxy refused to connect "
            "to weights.invalid: Tunnel connection failed: 403 Forbidden); its rules may not allow weights.invalid: "
            "ask its administrator, or set NO_PROXY=weights.invalid where the host can be reached directly, or give "
            "--url a mirror it allows, or download") in message, message
    assert "secret" not in message and "retry" not in message
    assert len(heads) == 1 and heads[0].startswith("CONNECT weights.invalid:443 ") and notices == []  # not again
    assert visible_files(weights_dir) == []


@pytest.mark.parametrize("status", [b"502 Bad Gateway", b"504 Gateway Timeout"])
def test_a_proxy_that_cannot_reach_the_server_is_asked_again_a_bounded_number_of_times(
        status, serve, weights_dir, installed, monkeypatch):
    serve(["ok"])
    notices = []
    with _answering(status) as (proxy, heads):
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        with pytest.raises(WeightsError) as error:
            fetch("test", **{**FAST, "attempts": 3}, url=URL, notice=notices.append)
    message = str(error.value)
    assert (f"through the proxy {proxy} that HTTPS_PROXY names (the proxy could not connect to weights.invalid: "
            f"Tunnel connection failed: {status.decode()}, after 3 attempts); check HTTPS_PROXY, or unset it to "
            "connect directly, or retry, or") in message, message
    assert len(heads) == 3 and len(notices) == 2


def test_a_proxy_that_refuses_an_http_url_is_named_with_its_rules_to_ask_about(serve, weights_dir, installed,
                                                                              monkeypatch):
    """An http:// URL's GET goes to the proxy itself: its 403 read "HTTP 403 Forbidden); check the URL", as if the
    server had refused, with no word of the proxy's rules or NO_PROXY, as a CONNECT's 403 has."""
    serve(["ok"])
    url = URL.replace("https:", "http:")
    with _answering(b"403 Forbidden") as (proxy, heads):
        monkeypatch.setenv("HTTP_PROXY", proxy)
        with pytest.raises(WeightsError) as error:
            fetch("test", **{**FAST, "attempts": 3}, url=url)
    assert (f"from {url} through the proxy {proxy} that HTTP_PROXY names (HTTP 403 Forbidden, from the proxy or the "
            "server behind it); its rules may not allow weights.invalid: ask its administrator, or set "
            "NO_PROXY=weights.invalid where the host can be reached directly, or give --url a mirror it allows, or "
            "check the URL") in str(error.value), error.value
    assert len(heads) == 1 and heads[0].startswith(f"GET {url} ") and visible_files(weights_dir) == []


@pytest.mark.parametrize("status", [b"408 Request Timeout", b"429 Too Many Requests"])
def test_a_proxy_that_asks_for_the_connect_again_is_asked_again_in_its_own_words(
        status, serve, weights_dir, installed, monkeypatch):
    """A 408 or 429 to the CONNECT is retried as a 502 is, but the line said that the proxy "could not connect to"
    the host, which it never tried: it timed out waiting, or had too many requests."""
    serve(["ok"])
    with _answering(status) as (proxy, heads):
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        with pytest.raises(WeightsError) as error:
            fetch("test", **{**FAST, "attempts": 2}, url=URL, notice=lambda line: None)
    message = str(error.value)
    assert (f"through the proxy {proxy} that HTTPS_PROXY names (Tunnel connection failed: {status.decode()}, after 2 "
            "attempts); check HTTPS_PROXY") in message, message
    assert len(heads) == 2
