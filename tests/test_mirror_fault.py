"""A mirror URL that no attempt could download from is one line before any download, with the same words for
`weights fetch --url` and JAXART_WEIGHTS_URL_*: a malformed IPv6 host, a port that is none, a space, no host."""

from __future__ import annotations

import pytest

from conftest import run_main

BAD = [  # each was downloaded from (three attempts, "retry") or, in the environment, called no http(s):// URL
    ("http://[::1/x", "not a valid URL (Invalid IPv6 URL)"),
    ("http://[zz]/", "not a valid URL ('zz' does not appear to be an IPv4 or IPv6 address)"),
    ("http://127.0.0.1:99999/vgg19.h5", "not a valid URL (Port out of range 0-65535)"),
    ("http://127.0.0.1:x/vgg19.h5", "not a valid URL (Port could not be cast to integer value as 'x')"),
    ("http://mirror.example/my weights.h5", "not a valid URL (it holds ' ' at character 25; write a space as %20)"),
    ("http:///srv/vgg19.h5", "not a valid URL (it names no host)"),  # "no host given", 3 attempts, "retry"
    ("https:vgg19.h5", "not a valid URL (it names no host)"),
]


@pytest.mark.parametrize("url, fault", BAD)
def test_a_malformed_mirror_is_one_line_naming_what_is_wrong(url, fault, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    code, _, err = run_main(["weights", "fetch", "vgg19", "--url", url], monkeypatch, capsys)
    assert (code, err) == (2, f"error: Invalid value for --url: {url!r} is {fault}")
    monkeypatch.setenv("JAXART_WEIGHTS_URL_VGG19", url)
    code, _, err = run_main(["weights", "fetch", "vgg19"], monkeypatch, capsys)
    assert (code, err) == (2, f"error: JAXART_WEIGHTS_URL_VGG19 is {url!r}, {fault}; set it to a mirror's URL, or "
                              "unset it to download vgg19 from its usual source")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("url", ["http://[::1]:8080/vgg19.h5", "HTTPS://mirror.example:443/a%20b.h5",
                                 "file:///srv/my weights.h5", " http://mirror.example/vgg19.h5\n"])
def test_a_well_formed_mirror_is_taken(url):
    """Spaces at a URL's ends are not in it: urllib strips them (a line read from a file downloaded as ever)."""
    from jaxart.weights import registry

    assert registry.mirror_fault(url) is None


@pytest.mark.parametrize("url, fault", BAD[2:])
def test_the_library_s_fetch_refuses_a_malformed_mirror_before_any_attempt(url, fault, tmp_path, monkeypatch):
    """fetch(url=...) tried such a URL 3 times, then said to retry."""
    from jaxart.errors import WeightsError
    from jaxart.weights import fetch

    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    with pytest.raises(WeightsError) as refused:
        fetch("vgg19", url=url, backoff=0.0)
    assert str(refused.value) == f"url {url!r} is {fault}; give a mirror's http(s):// or file:// URL"
    assert not list(tmp_path.iterdir())
