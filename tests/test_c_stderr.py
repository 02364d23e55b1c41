"""A C library's own line on stderr during a decode (libtiff's "tempfile.tif: Using code not yet in table." for a
damaged LZW TIFF) came above jaxart's error line, two lines for one bad file: it is silenced (jaxart/c_stderr.py),
with stderr put back as it was, a file, a pipe or closed, and no file descriptor left open."""

import os
import subprocess
import sys

import numpy as np
import pytest

import jaxart
from conftest import ROOT, run_main, stylize_argv, write_tiny_job


def write_damaged_lzw_tiff(path) -> None:
    """A 32x48 LZW TIFF whose strip has bytes overwritten: libtiff reads codes not yet in its table."""
    from PIL import Image

    a = (np.add.outer(np.arange(32), np.arange(48)) % 256).astype(np.uint8)
    Image.fromarray(np.stack([a, a[::-1], a], -1)).save(path, compression="tiff_lzw")
    data = bytearray(path.read_bytes())
    data[20:200:3] = b"\xff" * len(range(20, 200, 3))
    path.write_bytes(bytes(data))


def test_a_damaged_lzw_tiff_is_one_line_on_stderr(tmp_path, monkeypatch, capfd):
    files = write_tiny_job(tmp_path / "job")
    write_damaged_lzw_tiff(bad := tmp_path / "bad.tif")
    argv = stylize_argv(files, tmp_path / "o.png", "--dry-run")
    code, out, err = run_main([argv[0], str(bad), *argv[2:]], monkeypatch, capfd)
    # was "tempfile.tif: Using code not yet in table." (libtiff's, on file descriptor 2), then jaxart's line
    assert (code, out) == (2, "") and err == (f"error: {bad} is damaged or truncated (OSError: decoder error -2); "
                                              "re-export or re-download it"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tif", "job"]


def test_a_decode_leaves_stderr_as_it_was_and_no_descriptor_open(tmp_path, capfd):
    write_damaged_lzw_tiff(bad := tmp_path / "bad.tif")
    before, where = sorted(os.listdir("/proc/self/fd")), os.fstat(2)
    for _ in range(3):
        with pytest.raises(jaxart.InputError, match="is damaged or truncated"):
            jaxart.load_image(bad)
    assert sorted(os.listdir("/proc/self/fd")) == before
    assert (os.fstat(2).st_dev, os.fstat(2).st_ino) == (where.st_dev, where.st_ino)
    os.write(2, b"said after\n")
    assert capfd.readouterr().err == "said after\n"


_CHILD = """
import os, sys
from jaxart import c_stderr
if sys.argv[1] == "closed":
    os.close(2)
before = sorted(os.listdir("/proc/self/fd"))
with c_stderr.silenced():
    opened = os.open(sys.argv[0] if sys.argv[0] != "-c" else os.devnull, os.O_RDONLY)
    os.write(2, b"libtiff's line\\n")
    os.close(opened)
os.write(2, b"jaxart's line\\n") if sys.argv[1] != "closed" else None
print(opened != 2, sorted(os.listdir("/proc/self/fd")) == before)
"""


@pytest.mark.parametrize("stderr", ["pipe", "closed"])
def test_stderr_a_pipe_or_closed_is_put_back_as_it_was(stderr):
    """Closed, 2 is os.devnull during the block, so a file opened there does not take its number, and closed after."""
    run = subprocess.run([sys.executable, "-c", _CHILD, stderr], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert run.returncode == 0 and run.stdout == "True True\n", (run.stdout, run.stderr)
    assert run.stderr == ("jaxart's line\n" if stderr == "pipe" else "")
