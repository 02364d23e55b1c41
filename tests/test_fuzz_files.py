"""Odd files found by a fuzz pass over the CLI's file handling: an output that is a device, FIFO or socket
is refused with --overwrite too (the rename put a PNG in its place; `-o /dev/null` itself is refused
for its lack of a suffix, a node named out.png was not); a PNG, JPEG or GIF whose header is damaged is called damaged, not a format to
convert from; an output below a dangling link, and `-o -`, are named for what they are."""

import os
import socket
import stat
import struct
import zlib

import pytest

from jaxart.errors import InputError
from jaxart.image import load_image

from conftest import run_main, stylize_argv, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("fuzzfiles"))


def _special(kind: str, path) -> None:
    """Make a FIFO, a socket or (as root) a character device like /dev/null at `path`."""
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(path))
    elif os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    else:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))


def _is(kind: str, path) -> bool:
    mode = os.lstat(path).st_mode
    return {"fifo": stat.S_ISFIFO, "socket": stat.S_ISSOCK, "device": stat.S_ISCHR}[kind](mode)


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
@pytest.mark.parametrize("overwrite", [True, False])
def test_an_output_that_is_a_device_fifo_or_socket_is_kept_and_refused(kind, overwrite, files, tmp_path,
                                                                       monkeypatch, capsys):
    out = tmp_path / "out.png"
    _special(kind, out)
    argv = stylize_argv(files, out, *(["--overwrite"] if overwrite else []))
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "not a file" in err, err
    assert "pass --overwrite" not in err  # the old advice, which would have replaced it
    assert _is(kind, out) and sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_a_link_to_a_device_is_refused_as_the_device_is(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.png"
    out.symlink_to("/dev/null")
    code, _, err = run_main(stylize_argv(files, out, "--overwrite"), monkeypatch, capsys)
    assert code == 2 and "is a device, not a file" in err, err
    assert out.is_symlink() and os.readlink(out) == "/dev/null"


def test_an_animation_that_is_a_fifo_is_refused_with_overwrite_too(files, tmp_path, monkeypatch, capsys):
    anim = tmp_path / "a.gif"
    os.mkfifo(anim)
    argv = stylize_argv(files, tmp_path / "out.png", "--animate", str(anim), "--save-every", "1", "--overwrite")
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "animation" in err and "is a FIFO" in err, err
    assert stat.S_ISFIFO(os.lstat(anim).st_mode) and not (tmp_path / "out.png").exists()


@pytest.mark.parametrize("which", ["sheet", "page", "tile"])
def test_a_sweeps_file_that_is_a_fifo_is_refused_with_overwrite_too(which, files, tmp_path, monkeypatch, capsys):
    d, model = files
    sheet = tmp_path / "s.png"
    fifo = {"sheet": sheet, "page": tmp_path / "s.html", "tile": tmp_path / "s-01.png"}[which]
    os.mkfifo(fifo)
    argv = ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(sheet), "--model", model, "--size", "32",
            "--steps", "1", "--style-weight", "1,2", "--overwrite", "--quiet"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "is a FIFO, not a file" in err, err
    assert [p.name for p in tmp_path.iterdir()] == [fifo.name] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(ihdr_crc_ok: bool) -> bytes:
    ihdr = _chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0))
    if not ihdr_crc_ok:
        ihdr = ihdr[:-4] + bytes(b ^ 0xFF for b in ihdr[-4:])
    return b"\x89PNG\r\n\x1a\n" + ihdr + _chunk(b"IDAT", zlib.compress((b"\0" + b"\x80" * 12) * 3)) + _chunk(b"IEND", b"")


DAMAGED = {"png": (_png(False), "PNG"), "jpg": (b"\xff\xd8\xff\xd9", "JPEG"),
           "gif": (b"GIF89a\x10\x00\x10\x00\x00\x00\x00;", "GIF")}


@pytest.mark.parametrize("suffix", sorted(DAMAGED))
def test_a_file_whose_header_is_damaged_is_called_damaged_not_another_format(suffix, tmp_path):
    """Such a file was "not in an image format Pillow can read; convert it to PNG or JPEG", a PNG's owner told to
    convert it to PNG."""
    data, kind = DAMAGED[suffix]
    path = tmp_path / f"photo.{suffix}"
    path.write_bytes(data)
    with pytest.raises(InputError) as e:
        load_image(path)
    assert f"starts as a {kind} file but its header is damaged; re-export or re-download it" in str(e.value)
    assert "convert" not in str(e.value)


def test_the_undamaged_png_loads_and_a_text_file_is_still_not_an_image(tmp_path):
    """The control: the same PNG with its checksum right loads, and a file of no image format is still told to convert."""
    (tmp_path / "ok.png").write_bytes(_png(True))
    assert load_image(tmp_path / "ok.png").shape == (3, 4, 3)
    (tmp_path / "notes.png").write_text("<html>404 Not Found</html>\n")
    with pytest.raises(InputError, match="not in an image format Pillow can read; convert it to PNG or JPEG"):
        load_image(tmp_path / "notes.png")


def test_the_cli_says_a_damaged_photo_is_damaged_in_one_line_and_writes_nothing(files, tmp_path, monkeypatch, capsys):
    d, model = files
    photo = tmp_path / "photo.png"
    photo.write_bytes(_png(False))
    out = tmp_path / "out.png"
    argv = ["stylize", str(photo), str(d / "paint.png"), "-o", str(out), "--model", model, "--size", "32"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err == f"error: {photo} starts as a PNG file but its header is damaged; re-export or " \
                                 "re-download it", err
    assert not out.exists()


@pytest.mark.parametrize("below", ["out.png", "new/out.png"])
def test_an_output_below_a_link_to_nothing_says_so_not_that_it_is_a_file(below, files, tmp_path, monkeypatch, capsys):
    """`-o gone/out.png`, `gone` a dangling link (to an unmounted disk, say), was refused as "gone is a file"."""
    gone = tmp_path / "gone"
    gone.symlink_to(tmp_path / "unmounted" / "photos")
    code, _, err = run_main(stylize_argv(files, gone / below), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and f"{gone} is a link to nothing, not a folder" in err, err
    assert [p.name for p in tmp_path.iterdir()] == ["gone"] and gone.is_symlink()


@pytest.mark.parametrize("command, option, example", [("stylize", "-o", "out.png"), ("sweep", "-o", "sweep.png"),
                                                      ("stylize", "--animate", "out.gif")])
def test_a_dash_for_an_output_says_it_is_not_standard_output(command, option, example, files, tmp_path, monkeypatch,
                                                             capsys):
    """`-o -` said "- has no suffix; give a file name such as -.png, or -/out.png to write into a folder -"."""
    d, model = files
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, option, "-"]
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.endswith(f": - is not standard output here; give a file name, such as {example}"), err
    assert not list(tmp_path.iterdir())
