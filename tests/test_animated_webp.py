"""An animated WebP is read as a viewer shows it before it plays: its first frame, its transparency over the
background (the frames of a GIF and an APNG: test_image.py)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from jaxart.image import load_image


def test_an_animated_webps_first_frame_is_read_with_its_transparency(tmp_path):
    first = np.zeros((6, 8, 4), np.uint8)
    first[..., 0], first[:, 4:, 3] = 255, 255  # red, its left half transparent
    frames = [Image.fromarray(first, "RGBA"), Image.new("RGBA", (8, 6), (0, 255, 0, 255))]
    frames[0].save(tmp_path / "anim.webp", save_all=True, append_images=frames[1:], duration=100, lossless=True)
    got = load_image(tmp_path / "anim.webp", background=(0, 0, 255))
    np.testing.assert_array_equal(got[:, :4], np.broadcast_to([0.0, 0.0, 1.0], (6, 4, 3)))
    np.testing.assert_array_equal(got[:, 4:], np.broadcast_to([1.0, 0.0, 0.0], (6, 4, 3)))
