"""Pictures over Pillow's pixel limit (89 megapixels; paintings' scans run to 700): read at bounded memory,
not refused. A 400x300 file over a limit lowered to 100 000 pixels stands for a 20000x15000 scan. One too large
for the memory free to decode at all is called too large, not damaged."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from jaxart import decode_memory, inputs, job, mask_regions, pixel_limit
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart.image import load_image, painting_side, resized

LIMIT = 100_000  # pixels; the files below have 120 000


def _ramps() -> np.ndarray:
    """400x300 pixels of smooth colour ramps, as a painting's scan is at 1/50 of its size."""
    y, x = np.mgrid[0:300, 0:400]
    return np.stack([x * 0.6 % 256, y * 0.8 % 256, (x + y) * 0.3 % 256], -1).astype(np.uint8)


def _picture(tmp_path: Path, name: str, **kw) -> Path:
    path = tmp_path / name
    Image.fromarray(_ramps()).save(path, **kw)
    return path


@pytest.fixture
def low_limit(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", LIMIT)


def test_a_jpeg_over_the_limit_decodes_at_reduced_scale_close_to_a_whole_decode(tmp_path, low_limit, monkeypatch):
    path = _picture(tmp_path, "scan.jpg", quality=95)
    monkeypatch.setattr(pixel_limit, "host_bytes", lambda: 2**20)  # too little to decode it whole
    drafted = load_image(path, least=64)
    assert drafted.shape == (75, 100, 3), "1/4 scale: the smallest whose long side is still 64 px or more"
    assert load_image(path, least=101).shape == (150, 200, 3), "never shorter than the side asked for"
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    whole = load_image(path)
    ours, exact = resized(drafted, 64), resized(whole, 64)
    assert ours.shape == exact.shape == (48, 64, 3)
    assert np.abs(ours - exact).max() < 0.02 and np.abs(ours - exact).mean() < 0.003
    assert Image.MAX_IMAGE_PIXELS is None  # the limit set aside while decoding came back


def test_a_jpeg_over_the_limit_without_a_size_decodes_at_the_largest_scale_under_it(tmp_path, low_limit):
    rgb = load_image(_picture(tmp_path, "scan.jpg"))
    assert rgb.shape == (150, 200, 3) and Image.MAX_IMAGE_PIXELS == LIMIT


def test_pictures_under_the_limit_are_read_whole_and_unchanged(tmp_path):
    path = _picture(tmp_path, "photo.jpg", quality=95)
    with Image.open(path) as img:
        pixels = np.asarray(img.convert("RGB"), np.float32) / 255
    np.testing.assert_array_equal(load_image(path, least=16), pixels)
    np.testing.assert_array_equal(load_image(path, 64), load_image(path, 64, least=None))


def test_a_png_over_the_limit_loads_whole_where_the_memory_free_holds_it(tmp_path, low_limit):
    np.testing.assert_array_equal(load_image(_picture(tmp_path, "scan.png")), _ramps() / np.float32(255))


def test_a_picture_the_memory_free_cannot_decode_is_refused_with_its_size_and_what_to_do(tmp_path, low_limit,
                                                                                          monkeypatch):
    monkeypatch.setattr(pixel_limit, "host_bytes", lambda: 2**20)
    path = _picture(tmp_path, "scan.png")
    with pytest.raises(InputError) as info:
        load_image(path, 64)
    message = str(info.value)
    assert message.splitlines() == [message] and str(path) in message
    for fragment in ("400x300 pixels", "takes about 2 MiB",
                     "only 1 MiB is free", "save a smaller copy, as a JPEG"):
        assert fragment in message
    assert Image.MAX_IMAGE_PIXELS == LIMIT


def test_the_smaller_copy_a_refusal_advises_decodes_in_the_memory_free(tmp_path, low_limit, monkeypatch):
    """It advised at most 316x316 pixels (the limit's side) where 1 MiB free holds 228x228 at 20 bytes a pixel: a
    copy under the limit is decoded whole without a check, so the copy advised would not have fit either."""
    free = 2**20
    monkeypatch.setattr(pixel_limit, "host_bytes", lambda: free)
    with pytest.raises(InputError, match=r"or with at most \d+x\d+ pixels$") as info:
        load_image(_picture(tmp_path, "scan.png"), 64)
    side = int(re.search(r"at most (\d+)x\1 pixels", str(info.value))[1])
    per = decode_memory.PIXEL_BYTES["8-bit"]
    assert side * side * per <= free < (side + 1) ** 2 * per, (side, str(info.value))


def test_whether_a_picture_over_the_limit_decodes_whole_is_asked_at_the_bytes_a_pixel_its_mode_takes(tmp_path,
                                                                                                      low_limit,
                                                                                                      monkeypatch):
    """A float grey TIFF peaks at 47 bytes a pixel (decode_memory), 8-bit RGB at 20: with 40 free, the RGB decodes,
    the float is refused. Both decoded where 36 fit."""
    monkeypatch.setattr(pixel_limit, "host_bytes", lambda: 40 * 120_000)
    assert load_image(_picture(tmp_path, "scan.png"), 64).shape == (48, 64, 3)
    grey = tmp_path / "scan.tif"
    Image.fromarray(_ramps()[..., 0].astype(np.float32) / 255).save(grey)
    with pytest.raises(InputError, match=f"^{re.escape(str(grey))} is 400x300 pixels .*takes about 5 MiB"):
        load_image(grey, 64)


def test_a_run_decodes_its_files_no_smaller_than_its_size_and_painting_size(tmp_path, low_limit):
    photo, painting = _picture(tmp_path, "photo.jpg"), _picture(tmp_path, "painting.jpg")
    config = StyleConfig(size=64, style_scale=0.5)
    content, (style,) = job.load_inputs(photo, [painting], config=config)
    assert content.shape == (75, 100, 3), "the photo at 1/4 scale, 100 px for a 64 px run"
    assert style.shape == (38, 50, 3), "the painting at 1/8 scale, 50 px for its 32 px"


def test_a_panorama_over_the_limit_decodes_no_smaller_than_the_run_needs_nor_a_scale_larger(tmp_path, low_limit):
    """At --size 64 and --style-scale 0.5 a painting is 32 px long, but a 12:1 one needs 16 px on its short side
    (image.painting_side): decoded for 32 px (1/8 scale, 150x13) it was then enlarged to 185 px."""
    painting = tmp_path / "panorama.jpg"
    Image.fromarray(np.tile(_ramps()[:100], (1, 3, 1))).save(painting)  # 1200x100
    config = StyleConfig(size=64, style_scale=0.5)
    _, (style,) = job.load_inputs(_picture(tmp_path, "photo.jpg"), [painting], config=config)
    assert painting_side(style.shape, 64, 0.5) <= max(style.shape), "never enlarged after decoding"
    assert style.shape == (25, 300, 3), "1/4 scale: at 1/8 (150x13) it would be enlarged to 185 px"


def test_an_init_image_and_a_mask_over_the_limit_decode_no_larger_than_the_photo_needs(tmp_path, low_limit, monkeypatch):
    """They were read at the largest scale under the limit, whatever the run's size (1/2 here; an --init 20000x15000
    JPEG for a 512 px run took 7.0 s and 3.0 GiB peak RSS, 0.7 s and 381 MiB at 1/8); both are stretched to the
    photo's shape, so neither side may come out shorter than its."""
    photo = np.zeros((48, 64, 3), np.float32)  # a 400x300 photo at --size 64
    init, decoded = _picture(tmp_path, "init.jpg"), []
    monkeypatch.setattr(inputs, "load_image", lambda *a, **kw: decoded.append(load_image(*a, **kw).shape) or photo)
    inputs.initial_image(photo, StyleConfig(size=64, init=str(init)))
    assert decoded == [(75, 100, 3)], "1/4 scale: at 1/8 (50x38) it would be enlarged to 64x48"
    halves, mask = np.zeros((300, 400, 3), np.uint8), tmp_path / "mask.jpg"
    halves[:, :200, 0] = halves[:, 200:, 2] = 255
    Image.fromarray(halves).save(mask)
    config = StyleConfig(size=64, mask=str(mask), region_colors=("red", "blue"))
    assert mask_regions.mask_size(config, photo.shape, 2) == (75, 100)


def _png_header_only(path, width, height):
    """A PNG of a few hundred bytes whose header claims `width`x`height` RGB pixels."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
                     + chunk(b"IEND", b""))
    return path


def test_a_png_too_large_to_decode_is_called_that_not_damaged(tmp_path, monkeypatch):
    """Its line was wrapped as 'is damaged or truncated (InputError: ...); re-export or re-download it'."""
    monkeypatch.setattr(pixel_limit, "host_bytes", lambda: 2**30)
    path = _png_header_only(tmp_path / "scan.png", 100_000, 100_000)
    with pytest.raises(InputError) as info:
        load_image(path, 32)
    message = str(info.value)
    assert message.splitlines() == [message] and message.count(str(path)) == 1
    assert "100000x100000 pixels" in message and "save a smaller copy" in message
    assert "damaged" not in message and "re-download" not in message and "InputError" not in message
