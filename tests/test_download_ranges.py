"""A 206 whose range ends before the byte asked for brings nothing new (a server that sends a stale or cached block):
it is named for what it is, and the bytes kept stay for the next attempt."""

from __future__ import annotations

import pytest

import test_download
from jaxart.errors import WeightsError
from jaxart.weights import fetch, folder, load
from test_download import FAST
from test_weights import assert_same_params

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too


def test_a_206_that_ends_before_the_byte_asked_for_is_named_and_the_bytes_kept_stay(serve, served, weights_dir):
    """Its body, all before the byte asked for, was read past as an overlap, and the attempt ended as "the connection
    closed after N of M bytes" (the N kept), which no connection had done."""
    half = len(served.body) // 2
    server = serve(["cut", "stale206"])  # the rest asked for from `half`, sent: bytes 0 to half // 2 - 1
    with pytest.raises(WeightsError) as error:
        fetch("test", **{**FAST, "attempts": 2}, notice=(said := []).append)
    message = str(error.value)
    assert (f"(the server answered a request from byte {half:,} with bytes 0-{half // 2 - 1:,} only, all kept "
            "already, after") in message, message
    assert "connection closed" not in message and "afresh" not in said[-1], said
    assert server.ranges[1:] == [f"bytes={half}-"] * (len(server.ranges) - 1)
    assert folder.partial_path("test").read_bytes() == served.body[:half]
    server = serve(["ok"])
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert server.ranges == [f"bytes={half}-"]
