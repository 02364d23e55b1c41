"""A JPEG whole but for its end-of-image marker (FFD9), as cameras, phones and interrupted downloads leave them and
every viewer shows them, loads as the whole file does; one cut in its pixel data is still refused as truncated."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageFile

from jaxart.errors import InputError
from jaxart.image import load_image


def _jpeg(progressive: bool, subsampling: int = 2) -> bytes:
    rng = np.random.default_rng(3)
    pixels = np.repeat(np.repeat(rng.integers(0, 256, (12, 15, 3), np.uint8), 4, 0), 4, 1)  # 48x60, some texture
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=85, progressive=progressive, subsampling=subsampling)
    assert out.getvalue().endswith(b"\xff\xd9")
    return out.getvalue()


def _scan_starts(data: bytes) -> list[int]:
    """Where each scan's header (FFDA) starts: a progressive file's scans follow one another."""
    return [i for i in range(len(data) - 1) if data[i:i + 2] == b"\xff\xda"]


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
@pytest.mark.parametrize("missing", [2, 1], ids=["no-FFD9", "no-D9"])
def test_a_jpeg_without_its_end_marker_loads_as_the_whole_file(progressive, missing, tmp_path):
    whole = tmp_path / "whole.jpg"
    whole.write_bytes(_jpeg(progressive))
    ended = tmp_path / "ended.jpg"
    ended.write_bytes(whole.read_bytes()[:-missing])
    np.testing.assert_array_equal(load_image(ended), load_image(whole))  # the same pixels, not a grey-filled guess
    np.testing.assert_array_equal(load_image(ended, 32), load_image(whole, 32))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # Pillow's global setting is never touched


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
@pytest.mark.parametrize("kept", [0.5, 0.9])
def test_a_jpeg_cut_in_its_pixel_data_is_still_refused_as_truncated(progressive, kept, tmp_path):
    data = _jpeg(progressive)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[:int(len(data) * kept)])
    with pytest.raises(InputError, match=rf"^{cut} is damaged or truncated \(OSError: image file is truncated .*\); "
                                         r"re-export or re-download it$"):
        load_image(cut)


def test_a_progressive_jpeg_cut_between_its_scans_is_refused(tmp_path):
    """Every scan before the cut is whole there, so a decode cannot tell; the scans the frame still needs can."""
    data = _jpeg(True)
    starts = _scan_starts(data)
    assert len(starts) > 3
    for start in starts[1:]:
        cut = tmp_path / "between.jpg"
        cut.write_bytes(data[:start])
        with pytest.raises(InputError, match="is damaged or truncated"):
            load_image(cut)


def test_a_jpeg_cut_in_its_scan_header_is_refused(tmp_path):
    data = _jpeg(False)
    header = tmp_path / "header.jpg"
    header.write_bytes(data[:_scan_starts(data)[0] + 5])
    with pytest.raises(InputError, match="is damaged or truncated"):
        load_image(header)


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
def test_a_jpeg_that_lost_one_byte_of_its_pixel_data_is_refused(progressive, tmp_path):
    """The last block's last codes are what a cut just before the end loses: a decode that looked only at the low
    frequencies (Pillow's `draft`, at 1/8 scale DC alone) would read it as whole."""
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(_jpeg(progressive)[:-3])
    with pytest.raises(InputError, match="is damaged or truncated"):
        load_image(cut)


def _decodes(monkeypatch) -> list[str]:
    """The JPEG decodes Pillow makes from now on (each opens one decoder)."""
    made, getdecoder = [], Image._getdecoder
    monkeypatch.setattr(Image, "_getdecoder", lambda mode, name, *a: made.append(name) or getdecoder(mode, name, *a))
    return made


def test_a_jpeg_without_its_end_marker_is_decoded_twice(monkeypatch, tmp_path):
    """Four full decodes (Pillow's refusal, the file with its marker and with filler, then the image) made loading a
    24-megapixel photo without FFD9 2.8x as slow as the whole file: the image is one of the two compared now."""
    whole, ended = tmp_path / "whole.jpg", tmp_path / "ended.jpg"
    whole.write_bytes(_jpeg(False))
    ended.write_bytes(whole.read_bytes()[:-2])
    made = _decodes(monkeypatch)
    load_image(whole)
    assert made == ["jpeg"]
    made.clear()
    load_image(ended)
    assert made == ["jpeg", "jpeg"]


def test_bytes_after_the_end_marker_are_ignored_as_before(monkeypatch, tmp_path):
    """A file that does not end in FFD9 but has it (a camera's trailer after it) is no missing end: read once."""
    whole, trailed = tmp_path / "whole.jpg", tmp_path / "trailed.jpg"
    whole.write_bytes(_jpeg(False))
    trailed.write_bytes(whole.read_bytes() + b"trailer\x00\x01")
    made = _decodes(monkeypatch)
    np.testing.assert_array_equal(load_image(trailed), load_image(whole))
    assert made == ["jpeg", "jpeg"]


def test_a_jpeg_without_its_end_marker_is_turned_upright_by_its_exif(tmp_path):
    rng = np.random.default_rng(4)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to view
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (48, 64, 3), np.uint8)).save(out, "JPEG", exif=exif)
    whole, ended = tmp_path / "whole.jpg", tmp_path / "ended.jpg"
    whole.write_bytes(out.getvalue())
    ended.write_bytes(out.getvalue()[:-2])
    upright = load_image(ended)
    assert upright.shape == (64, 48, 3)
    np.testing.assert_array_equal(upright, load_image(whole))


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
def test_a_jpeg_cut_near_its_end_never_loads_as_another_picture(progressive, tmp_path):
    """Cut 2 or 4 bytes before its end the baseline file loaded as whole, its last block wrong by up to 11 grey
    levels: the filler compared with libjpeg's zeros began with two 0 bits, which read as those zeros."""
    data = _jpeg(progressive)
    whole = tmp_path / "whole.jpg"
    whole.write_bytes(data)
    for lost in range(1, 41):
        cut = tmp_path / f"cut{lost}.jpg"
        cut.write_bytes(data[:-2 - lost])
        try:
            pixels = load_image(cut)
        except InputError as e:
            assert "is damaged or truncated" in str(e)
        else:
            np.testing.assert_array_equal(pixels, load_image(whole), err_msg=f"{lost} bytes lost")
