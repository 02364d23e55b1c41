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
