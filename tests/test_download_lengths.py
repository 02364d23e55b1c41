"""`fetch` against a server whose body is longer than the file: without a Content-Length (its end told by the
closed connection) it is another file, refused in words that say so; with one, the bytes past it are not read."""

from __future__ import annotations

import re

import pytest

import test_download
from jaxart.errors import WeightsError
from jaxart.weights import fetch, load
from test_download import FAST, REMEDY, visible_files
from test_weights import assert_same_params

serve, weights_dir = test_download.serve, test_download.weights_dir  # its fixtures, registered here too


class _Longer(test_download._Handler):
    """The whole file and 500 bytes more, as a 200 with its Content-Length the file's ("length") or none ("close")."""

    def do_GET(self):
        srv = self.server.owner
        srv.ranges.append(self.headers.get("Range", ""))
        self.send_response(200)
        if srv.modes[0] == "length":
            self.send_header("Content-Length", str(len(srv.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(srv.body + b"x" * 500)

    def log_message(self, *args):
        pass


def test_a_body_of_no_length_longer_than_the_file_is_said_to_be_longer_and_nothing_is_kept(serve, served,
                                                                                          weights_dir):
    """It read as a file of one byte more than expected (`has 365,603 bytes with checksum ...`), the one byte past
    the file that fetch reads to notice a longer body, where the server had sent 500 more."""
    server = serve(["close"], handler=_Longer)
    size = len(served.body)
    with pytest.raises(WeightsError) as error:
        fetch("test", **FAST)
    message = str(error.value)
    assert re.search(rf"\(the server sent more than the {size:,} bytes expected: another file\); check the URL",
                     message), message
    assert f"{size + 1:,}" not in message and message.endswith(REMEDY) and len(message.splitlines()) == 1
    assert server.ranges == [""] and visible_files(weights_dir) == [] and not list(weights_dir.glob(".test.*"))


def test_bytes_past_the_content_length_are_not_read(serve, served, weights_dir):
    serve(["length"], handler=_Longer)
    assert_same_params(load(fetch("test", **FAST)), served.params)
    assert visible_files(weights_dir) == ["test.safetensors"]
