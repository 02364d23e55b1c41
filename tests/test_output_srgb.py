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
