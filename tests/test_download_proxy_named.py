"""A failed download names the proxy urllib sent it through, as urllib picks it: a ProxyHandler's keys in any case,
the later of two keys or handlers for one scheme, and `<scheme>_proxy` variables in any case."""

from __future__ import annotations

import contextlib
import urllib.request

import pytest

import test_download_opener
from jaxart.weights import answer
from jaxart.weights.proxies import proxy as proxy_of

installed = test_download_opener.installed  # its fixture, registered here too
URL = "http://weights.invalid/x.h5"


@pytest.mark.parametrize("handlers", [
    [{"HTTP": 0}],  # urllib lower-cases the key: the download went through it, and no proxy was named
    [{"http": 0, "HTTP": 1}],  # the later key's lambda replaces the earlier's
    [{"http": 0}, {"http": 1}],  # each handler sets the proxy in turn: the last one's is used
    [{"https": 0}, {"http": 1}, {"ftp": 0}],
])
def test_the_proxy_named_is_the_one_the_download_went_through(handlers, installed):
    with contextlib.ExitStack() as stack:
        proxies = [stack.enter_context(test_download_opener._proxy()) for _ in range(2)]
        installed(urllib.request.build_opener(*[urllib.request.ProxyHandler(
            {key: proxies[which][0] for key, which in mapping.items()}) for mapping in handlers]))
        with answer.within(urllib.request.Request(URL), 5.0, 5.0) as response:
            assert response.read() == b"bytes"
        [through] = [proxy for proxy, heads in proxies if heads]
        assert proxy_of(URL) == (through, "the opener installed with urllib.request.install_opener",
                                       "check that proxy, or install an opener without it to connect directly")


def test_a_proxy_variable_in_mixed_case_is_named_as_typed(installed, monkeypatch):
    """urllib reads Http_Proxy as http's proxy; the line named the opener instead, where it had no such variable."""
    monkeypatch.setenv("Http_Proxy", "http://proxy.invalid:3128")
    installed(urllib.request.build_opener())  # its ProxyHandler reads the environment
    assert proxy_of(URL)[:2] == ("http://proxy.invalid:3128", "Http_Proxy")
    installed(None)
    assert proxy_of(URL)[:2] == ("http://proxy.invalid:3128", "Http_Proxy")


@pytest.mark.parametrize("where", ["two handlers", "one handler", "the environment"])
def test_an_http_request_through_an_https_proxy_names_the_https_proxy_urllib_connects_to(where, installed, monkeypatch):
    """urllib opens an http:// request handed to an https:// proxy again as an https one, through the https proxy,
    which tunnels to the first: a failure named the first, which urllib never connected to."""
    with contextlib.ExitStack() as stack:
        (first, first_heads), (second, second_heads) = [
            stack.enter_context(test_download_opener._proxy()) for _ in "12"]
        proxies = {"http": first.replace("http:", "https:"), "https": second}
        if where == "two handlers":
            installed(urllib.request.build_opener(*[urllib.request.ProxyHandler({k: v}) for k, v in proxies.items()]))
        elif where == "one handler":
            installed(urllib.request.build_opener(urllib.request.ProxyHandler(proxies)))
        else:
            for key, value in proxies.items():
                monkeypatch.setenv(f"{key}_proxy", value)
        with pytest.raises(OSError):  # the stand-in proxy answers CONNECT with a file, not a TLS handshake
            answer.within(urllib.request.Request(URL), 5.0, 5.0)
        assert first_heads == [] and second_heads[0].startswith(f"CONNECT {first.removeprefix('http://')} ")
        named = proxy_of(URL)
    assert named[0] == second and named[1] == ("https_proxy" if where == "the environment" else
                                               "the opener installed with urllib.request.install_opener"), named
