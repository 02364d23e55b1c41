"""`jaxart info` of a picture of several frames whose first is too large to decode here: a TIFF's record, in that
frame's header, is shown and the line says which frame is too large; a GIF or WebP, which carries no record, says
so, where both said what a single image would ("IMAGE is WxH pixels", "save a smaller copy")."""

from __future__ import annotations

import json

import pytest
from PIL import Image, TiffImagePlugin

from conftest import run_main
from jaxart import pixel_limit

RECORD = {"jaxart": "0.1", "step": 3}


@pytest.fixture
def tight(monkeypatch):
    """Pillow's limit at 1,000 pixels and 1,000 bytes free: a 100x80 frame is too large to decode here."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    monkeypatch.setattr("jaxart.pixel_limit.host_bytes", lambda: 1000)


def _tiff(path, sizes):
    description = TiffImagePlugin.ImageFileDirectory_v2()
    description[270] = json.dumps(RECORD)  # a record (older ones carry no Software tag)
    first, *rest = [Image.new("RGB", size) for size in sizes]
    first.save(path, save_all=True, append_images=rest, tiffinfo=description)
    return path


def test_a_tiff_whose_first_frame_is_too_large_names_that_frame(tight, tmp_path, monkeypatch, capsys):
    """It said "IMAGE is 100x80 pixels", as if the file were that one picture."""
    path = _tiff(tmp_path / "pages.tif", [(100, 80), (4, 4), (4, 4)])
    code, out, err = run_main(["info", str(path)], monkeypatch, capsys)
    assert code == 0 and json.loads(out) == RECORD, err
    assert err == (f"warning: the first of {path}'s 3 frames, the one its record is in and stylize reads, is 100x80 "
                   "pixels, too many to decode here: its run record was read from its header, its pixels were not")
    alone = _tiff(tmp_path / "one.tif", [(100, 80)])  # one frame: as before
    code, out, err = run_main(["info", str(alone)], monkeypatch, capsys)
    assert code == 0 and err.startswith(f"warning: {alone} is 100x80 pixels, too many to decode here"), err


@pytest.mark.parametrize("suffix, kind", [(".gif", "GIF"), (".webp", "WEBP")])
def test_an_animation_too_large_to_decode_says_it_carries_no_record(suffix, kind, tight, tmp_path, monkeypatch,
                                                                    capsys):
    """It said "decoding it whole takes about 281 KiB ...; save a smaller copy", which would hold no record either."""
    path = tmp_path / f"anim{suffix}"
    frames = [Image.new("RGB", (100, 80), colour) for colour in ("red", "blue")]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    code, out, err = run_main(["info", str(path)], monkeypatch, capsys)
    assert (code, out) == (2, "") and err == (f"error: {path} is an animation ({kind}), which carries no run record; "
                                              "the image the run wrote (its --output, a PNG or TIFF) holds it: give "
                                              "that"), err


def test_a_tiff_whose_later_page_is_cut_short_still_shows_its_record(tight, tmp_path, monkeypatch, capsys):
    """Counting its frames reads every page's header: one cut short (Pillow's TypeError "Missing dimensions") made
    `info` refuse it as "could not be read as an image", where before f8c349f the first page's record was shown."""
    whole = _tiff(tmp_path / "pages.tif", [(100, 80), (4, 4)])
    with pixel_limit.lifted(), Image.open(whole) as opened:
        opened.seek(1)
        second = opened._frame_pos[1]  # where the second page's header starts
    cut = tmp_path / "cut.tif"
    cut.write_bytes(whole.read_bytes()[:second + 1])
    code, out, err = run_main(["info", str(cut)], monkeypatch, capsys)
    assert code == 0 and json.loads(out) == RECORD, err
    assert err.startswith(f"warning: the first of {cut}'s frames, the one its record is in and stylize reads, is "
                          "100x80 pixels, too many to decode here"), err
