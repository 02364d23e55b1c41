"""What jaxart writes says that its pixels are sRGB (a PNG's sRGB chunk), as they are: a photo's profile is
converted on reading. Untagged, an editor (Photoshop with a wide working space) read them as that space instead."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from jaxart.image import load_image
from jaxart.output import save_image, to_uint8


@pytest.mark.parametrize("fmt, bands", [("png", 3), ("png", 4), ("png16", 3), ("png16", 4)])
def test_a_written_png_says_it_is_srgb_and_reads_back_the_same(fmt, bands, tmp_path):
    x = np.random.default_rng(1).random((4, 5, bands)).astype(np.float32)
    x[..., 3:] = 1.0  # opaque: the pixels read back as written
    path = save_image(tmp_path / "out.png", x, {"steps": 3}, fmt)
    with Image.open(path) as img:
        assert img.info.get("srgb") == 0  # rendering intent: perceptual
        assert img.info.get("jaxart") == '{"steps": 3}'
    got = load_image(path)
    want = to_uint8(x[..., :3]) / 255 if fmt == "png" else x[..., :3]
    np.testing.assert_allclose(got, want, atol=0.5 / 255 if fmt == "png" else 1 / 255)


def _chunks(path) -> list[tuple[bytes, bytes]]:
    """A PNG's chunks in order, (type, data), read from its bytes."""
    data, at, out = path.read_bytes(), 8, []
    while at < len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        out.append((data[at + 4:at + 8], data[at + 8:at + 8 + size]))
        at += 12 + size
    return out


@pytest.mark.parametrize("fmt", ["png", "png16"])
def test_a_written_png_has_the_gamma_and_primaries_fallback_and_names_its_software(fmt, tmp_path):
    # A decoder without sRGB support (the PNG specification, 11.3.3.5, recommends gAMA, and cHRM, beside sRGB) read the
    # pixels with no gamma; and a PNG said nothing of what made it, where a TIFF has its Software tag.
    path = save_image(tmp_path / "out.png", np.full((2, 3, 3), 0.5, np.float32), {"steps": 3}, fmt)
    chunks = _chunks(path)
    kinds = [k for k, _ in chunks]
    got = dict(chunks)
    assert int.from_bytes(got[b"gAMA"], "big") == 45455  # 1/2.2
    assert [int.from_bytes(got[b"cHRM"][i:i + 4], "big") for i in range(0, 32, 4)] == [
        31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000]  # D65 white, BT.709 red, green, blue
    assert max(kinds.index(b"sRGB"), kinds.index(b"gAMA"), kinds.index(b"cHRM")) < kinds.index(b"IDAT")
    with Image.open(path) as img:
        assert img.info.get("Software") == "jaxart"
        assert img.info.get("srgb") == 0 and img.info.get("jaxart") == '{"steps": 3}'
    np.testing.assert_allclose(load_image(path), 0.5, atol=1 / 255)  # sRGB still decides: no conversion
