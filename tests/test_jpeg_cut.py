"""A JPEG cut short in its pixel data but ending in its end marker (FFD9), as repair tools leave one, is refused:
Pillow loaded it without a word, its bottom grey (sequential) or smeared (progressive). A whole one still loads."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from jaxart.errors import InputError
from jaxart.image import load_image

EOI = b"\xff\xd9"
CUT = r"is damaged or truncated \(a JPEG whose pixel data is cut short before its end marker, .*\); re-export"
UNCODED = (r"is damaged or truncated \(a JPEG whose scans stop before all of its detail and colour are coded, .*\); "
           "re-export")
KINDS = {"baseline": dict(), "progressive": dict(progressive=True), "restarts": dict(restart_marker_blocks=2),
         "optimized-444": dict(optimize=True, subsampling=0), "progressive-restarts": dict(progressive=True,
                                                                                         restart_marker_rows=1)}


def _jpeg(mode: str = "RGB", size: tuple[int, int] = (37, 29), **kw) -> bytes:
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, (size[1], size[0], 3), np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(out, "JPEG", quality=90, **kw)
    return out.getvalue()


def _scans(data: bytes) -> list[tuple[int, int]]:
    """Where each scan's coded data starts and ends (the next DHT, DRI, SOS or EOI marker)."""
    found = []
    for at in (i for i in range(len(data) - 1) if data[i:i + 2] == b"\xff\xda"):
        start = at + 2 + int.from_bytes(data[at + 2:at + 4], "big")
        ends = (data.find(m, start) for m in (b"\xff\xc4", b"\xff\xdd", b"\xff\xda", EOI))
        found.append((start, min(i for i in ends if i > 0)))
    return found


def _loads_or_refuses(path) -> np.ndarray | None:
    try:
        return load_image(path)
    except InputError as e:
        assert e.args[0].startswith(f"{path} is damaged or truncated"), e
        return None


@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scan", [0, -1], ids=["first-scan", "last-scan"])
def test_a_jpeg_cut_in_its_data_with_its_end_marker_put_back_is_refused(kind, mode, scan, tmp_path):
    """A progressive file cut in its first scan lacks the later ones too: refused for those, as blurred."""
    data = _jpeg(mode, **KINDS[kind])
    start, end = _scans(data)[scan]
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[:(start + end) // 2] + EOI)
    why = UNCODED if "progressive" in kind and scan == 0 else CUT
    with pytest.raises(InputError, match=rf"^{cut} {why} or re-download it$"):
        load_image(cut)


@pytest.mark.parametrize("kind", ["baseline", "restarts", "progressive"])
def test_a_jpeg_cut_anywhere_in_its_last_scan_never_loads_as_another_picture(kind, tmp_path):
    """Every cut in the last scan's data: refused, or (a cut in the last block's codes of a sequential file, whose
    decode does not look grey) loaded with at most that block different (its 16x16 pixels at (16, 32), and the
    row and column its upsampled colour blends into)."""
    data = _jpeg(**KINDS[kind])
    start, end = _scans(data)[-1]
    (tmp_path / "whole.jpg").write_bytes(data)
    whole = load_image(tmp_path / "whole.jpg")
    cut = tmp_path / "cut.jpg"
    cuts = range(start, end, 3)
    loaded = 0
    for at in cuts:
        cut.write_bytes(data[:at] + EOI)
        if (pixels := _loads_or_refuses(cut)) is not None:
            loaded += 1
            differs = np.argwhere(np.any(pixels != whole, axis=-1))
            assert differs.size == 0 or differs.min(axis=0).tolist() >= [15, 31], f"cut at {at}: {differs.min(0)}"
    assert loaded < len(cuts) / 5  # those cuts: the last block of noise at quality 90 is 130 of its 1,200 bytes


def test_a_jpeg_cut_where_a_restart_interval_ends_is_refused_by_its_missing_markers(tmp_path):
    """Filler after a whole interval is skipped as extraneous bytes before the next marker, so the second decode
    cannot tell; the restart markers the scan lacks can."""
    data = _jpeg(size=(64, 48), restart_marker_blocks=1)  # 12 intervals
    ends = [i for i in range(data.index(b"\xff\xda"), len(data) - 1) if data[i] == 0xFF and 0xD0 <= data[i + 1] <= 0xD7]
    assert len(ends) > 4
    cut = tmp_path / "cut.jpg"
    for end in ends[1::2]:
        cut.write_bytes(data[:end] + EOI)
        with pytest.raises(InputError, match=CUT):
            load_image(cut)


def test_a_cut_jpeg_with_another_picture_after_it_is_refused(tmp_path):
    """An MPO (a stereo camera's, a phone's gain map) ends in its second picture's end marker."""
    rng = np.random.default_rng(8)
    first, second = (Image.fromarray(rng.integers(0, 256, (29, 37, 3), np.uint8)) for _ in range(2))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second], quality=90)
    data = out.getvalue()
    (tmp_path / "whole.mpo").write_bytes(data)
    load_image(tmp_path / "whole.mpo")
    end = data.index(EOI, data.index(b"\xff\xda"))  # the first picture's end
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[:end - 300] + data[end:])
    with pytest.raises(InputError, match=CUT):
        load_image(cut)


@pytest.mark.parametrize("grey", [128, 127])
def test_a_whole_jpeg_whose_corner_is_mid_grey_loads_after_a_second_decode(grey, monkeypatch, tmp_path):
    """A flat mid-grey last block is what a cut leaves, and what a photo may hold: it costs a decode, no refusal."""
    pixels = np.random.default_rng(9).integers(0, 256, (29, 37, 3), np.uint8)
    pixels[16:, 16:] = grey
    whole = tmp_path / "whole.jpg"
    Image.fromarray(pixels).save(whole, quality=90)
    expected = np.asarray(Image.open(whole), np.float32) / 255
    made, getdecoder = [], Image._getdecoder
    monkeypatch.setattr(Image, "_getdecoder", lambda mode, name, *a: made.append(name) or getdecoder(mode, name, *a))
    np.testing.assert_array_equal(load_image(whole), expected)
    assert made == ["jpeg", "jpeg"]  # Pillow's decode and the one with filler


@pytest.mark.parametrize("kind, decodes", [("baseline", 1), ("restarts", 1), ("progressive", 2)])
def test_a_whole_sequential_jpeg_is_decoded_once(kind, decodes, monkeypatch, tmp_path):
    """The second decode costs a 12-megapixel progressive photo 0.2 s; a sequential one pays it only where its last
    block is mid-grey."""
    whole = tmp_path / "whole.jpg"
    whole.write_bytes(_jpeg(**KINDS[kind]))
    made, getdecoder = [], Image._getdecoder
    monkeypatch.setattr(Image, "_getdecoder", lambda mode, name, *a: made.append(name) or getdecoder(mode, name, *a))
    load_image(whole)
    assert made == ["jpeg"] * decodes


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
def test_whole_jpegs_load(kind, mode, tmp_path):
    for size in [(8, 8), (37, 29), (17, 50)]:
        whole = tmp_path / "whole.jpg"
        whole.write_bytes(_jpeg(mode, size, **KINDS[kind]))
        with Image.open(whole) as opened:
            expected = np.asarray(opened.convert("RGB"), np.float32) / 255
        if mode != "CMYK":  # Pillow's CMYK to RGB is not modes.to_rgb's
            np.testing.assert_array_equal(load_image(whole), expected)
        else:
            assert load_image(whole).shape == expected.shape


def _non_interleaved(blocks: np.ndarray) -> bytes:
    """A sequential JPEG whose three components (YCbCr, unsubsampled) are each coded in a scan of their own, as
    `jpegtran -scans` writes one (Pillow cannot): each 8x8 block flat, `blocks` (rows, columns, 3) its values."""
    rows, cols, _ = blocks.shape
    dc_bits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]  # JPEG's Annex K luminance DC table
    codes, code, symbol = {}, 0, 0
    for length, count in enumerate(dc_bits, 1):
        for _ in range(count):
            codes[symbol], code, symbol = (code, length), code + 1, symbol + 1
        code <<= 1
    segment = lambda marker, body: bytes((0xFF, marker)) + (len(body) + 2).to_bytes(2, "big") + body  # noqa: E731
    out = b"\xff\xd8" + segment(0xDB, bytes([0] + [8] * 64))  # every step 8: a block's DC is its level
    out += segment(0xC0, bytes([8]) + (rows * 8).to_bytes(2, "big") + (cols * 8).to_bytes(2, "big") + bytes(
        [3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]))
    out += segment(0xC4, bytes([0x00, *dc_bits, *range(12)]) + bytes([0x10, 1, *[0] * 15, 0x00]))  # AC: EOB, '0'
    for c in range(3):
        bits, before = "", 0
        for value in blocks[..., c].ravel():
            diff, before = int(value) - 128 - before, int(value) - 128
            size = abs(diff).bit_length()
            code, length = codes[size]
            bits += format(code, f"0{length}b") + (format(diff if diff >= 0 else diff + (1 << size) - 1,
                                                          f"0{size}b") if size else "") + "0"
        bits += "1" * (-len(bits) % 8)
        data = bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)).replace(b"\xff", b"\xff\x00")
        out += segment(0xDA, bytes([1, c + 1, 0x00, 0, 63, 0])) + data
    return out + EOI


def test_a_non_interleaved_jpeg_cut_in_its_last_chroma_scan_is_refused(tmp_path):
    """Its last scan codes Cr alone: cut there, its bottom lost its colour, not its luma, so the last block was not
    mid-grey and no second decode was made: it loaded without a word."""
    blocks = np.zeros((4, 4, 3), np.uint8)
    blocks[:2], blocks[2:] = (100, 90, 200), (150, 160, 60)  # Y, Cb, Cr: red above, green below, no grey
    whole = _non_interleaved(blocks)
    (tmp_path / "whole.jpg").write_bytes(whole)
    with Image.open(tmp_path / "whole.jpg") as im:
        assert im.mode == "RGB" and np.asarray(im)[0, 0, 0] > np.asarray(im)[0, 0, 1]  # libjpeg reads it: red above
    load_image(tmp_path / "whole.jpg")
    start, end = _scans(whole)[-1]
    (tmp_path / "cut.jpg").write_bytes(whole[:(start + end) // 2] + EOI)
    with pytest.raises(InputError, match=CUT):
        load_image(tmp_path / "cut.jpg")
