"""A proxy that asks who the user is (HTTP 407) is told so at once, with how to give it a user name and password: an
http:// URL's 407 said to check the URL, and an https:// URL's (its CONNECT's) was retried as a cut-off download."""

from __future__ import annotations

import re
import socket

import pytest

import test_download
import test_download_opener
from jaxart.errors import WeightsError
from jaxart.weights import fetch
from test_download import FAST, visible_files

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too
installed = test_download_opener.installed


def _asking_proxy():
    """Yields (its URL, the request heads it got): a proxy that answers every request, CONNECT too, with 407."""
    return test_download_opener._proxy(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic "
                                       b"realm=\"corp\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("signed", [False, True])
def test_a_proxy_asking_for_a_password_is_told_at_once_with_how_to_give_one(
        scheme, signed, serve, weights_dir, installed, monkeypatch):
    serve(["ok"])  # registers "test"; the download never reaches it
    url, notices = f"{scheme}://weights.invalid/vgg16_test.h5", []
    with _asking_proxy() as (proxy, lines):
        host = proxy.removeprefix("http://")
        monkeypatch.setenv(f"{scheme.upper()}_PROXY", f"http://me:pw@{host}" if signed else proxy)
        with pytest.raises(WeightsError) as error:
            fetch("test", **{**FAST, "attempts": 3}, url=url, notice=notices.append)
    message = str(error.value)
    asks = ("the proxy refused the user name and password in the proxy URL that {}_PROXY names: check them" if signed
            else f"the proxy asks for a user name and password: write them into the proxy URL that {{}}_PROXY names, "
                 f"http://USER:PASSWORD@{host}").format(scheme.upper())
    assert re.search(r"407 Proxy Authentication Required\); " + re.escape(asks) + r" \(with @ : / % in them written "
                     r"%40 %3A %2F %25\); one that takes only NTLM or Kerberos", message), message
    assert "check the URL" not in message and len(lines) == 1 and notices == []  # not asked again
    assert visible_files(weights_dir) == []


def test_no_proxy_sends_a_download_past_the_proxy(serve, weights_dir, installed, monkeypatch):
    """README's NO_PROXY: a host it names is downloaded from directly, not through HTTP_PROXY's proxy."""
    server = serve(["ok"])
    with _asking_proxy() as (proxy, lines):
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        fetch("test", **FAST)
    assert lines == [] and server.ranges == [""] and visible_files(weights_dir) == ["test.safetensors"]


@pytest.mark.parametrize("given", ["http://me:s%40cret@{}", "me:s%40cret@{}"])
def test_a_proxy_s_password_is_not_written_out(given, serve, weights_dir, installed, monkeypatch):
    """The line named the proxy as its variable gave it, password and all, into logs and bug reports."""
    serve(["ok"])
    with _asking_proxy() as (proxy, _):
        host = proxy.removeprefix("http://")
        monkeypatch.setenv("HTTPS_PROXY", given.format(host))
        with pytest.raises(WeightsError) as error:
            fetch("test", **FAST, url="https://weights.invalid/vgg16_test.h5")
    shown = given.format(host).replace("s%40cret", "***")
    assert f" through the proxy {shown} that HTTPS_PROXY names (" in str(error.value), error.value
    assert "cret" not in str(error.value)


@pytest.mark.parametrize("no_proxy", ["localhost, 127.0.0.0/8", "::1,127.0.0.1/32"])
def test_an_address_range_in_no_proxy_sends_a_download_past_the_proxy(no_proxy, serve, weights_dir, installed,
                                                                      monkeypatch):
    """curl, requests and so pip (vgg16-hed's) read NO_PROXY's 127.0.0.0/8 as a range of addresses; urllib read it as a
    name, and sent a download from an address in it through the proxy, which failed if the proxy was down or could not
    reach that address."""
    server = serve(["ok"])
    with socket.socket() as s:  # a port that was just free: a proxy that is down
        s.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    fetch("test", **{**FAST, "attempts": 1})
    assert server.ranges == [""] and visible_files(weights_dir) == ["test.safetensors"]


def test_a_star_domain_in_no_proxy_is_named_where_the_download_through_the_proxy_failed(
        serve, weights_dir, installed, monkeypatch):
    """No tool reads NO_PROXY's *.example.com (curl, requests and urllib take .example.com): the download went through
    the proxy, whose failure said to check HTTP_PROXY, not a word of NO_PROXY."""
    serve(["ok"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "localhost,*.Corp.invalid")
    with pytest.raises(WeightsError) as error:
        fetch("test", **{**FAST, "attempts": 1}, url="http://weights.corp.invalid/vgg16_test.h5")
    assert ("Connection refused, after 1 attempt); write *.Corp.invalid in NO_PROXY as .Corp.invalid to connect to "
            "weights.corp.invalid directly (urllib, curl and pip read no `*.` in it), or check HTTP_PROXY, or unset it "
            "to connect directly, or retry") in str(error.value), error.value
