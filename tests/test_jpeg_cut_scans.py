"""A JPEG cut exactly between two scans with its end marker (FFD9) put back is refused. Every scan left is whole,
so neither Pillow's decode nor one with filler after the last scan shows it, and Pillow loaded it without a word:
a progressive file blurred (DC alone) or off-colour (a chroma scan missing), a non-interleaved sequential one without
the colour of its missing scans. What tells is what the scans code: every encoder's script codes every coefficient of
every component to full precision."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from test_jpeg_cut import EOI, UNCODED, _jpeg, _non_interleaved, _scans

from jaxart.errors import InputError
from jaxart.image import load_image

PROGRESSIVE = {"progressive": dict(progressive=True), "progressive-444": dict(progressive=True, subsampling=0),
               "progressive-restarts": dict(progressive=True, restart_marker_blocks=3)}


def _pillow(path) -> np.ndarray:
    with Image.open(path) as opened:
        return np.asarray(opened.convert("RGB"), np.float32) / 255


@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("kind", PROGRESSIVE)
def test_a_progressive_jpeg_cut_between_any_two_scans_is_refused(kind, mode, tmp_path):
    """Cut where a scan's data ends (before the next scan's tables) and just before the next scan's header."""
    data = _jpeg(mode, (40, 32), **PROGRESSIVE[kind])
    (tmp_path / "whole.jpg").write_bytes(data)
    whole = load_image(tmp_path / "whole.jpg")
    cut, ends = tmp_path / "cut.jpg", [end for _, end in _scans(data)[:-1]]
    assert len(ends) >= (5 if mode == "RGB" else 3)
    for at in {*ends, *(data.index(b"\xff\xda", end) for end in ends)}:
        cut.write_bytes(data[:at] + EOI)
        assert np.abs(_pillow(cut) - whole).max() > 0.01, at  # another picture, which Pillow loads
        with pytest.raises(InputError, match=rf"^{cut} {UNCODED} or re-download it$"):
            load_image(cut)


def test_a_non_interleaved_jpeg_cut_before_its_last_colour_scan_is_refused(tmp_path):
    """Its Cr scan lost: libjpeg decodes Cr as 128, so the red top loads pink-grey."""
    blocks = np.zeros((4, 4, 3), np.uint8)
    blocks[:2], blocks[2:] = (100, 90, 200), (150, 160, 60)  # Y, Cb, Cr: red above, green below
    whole = _non_interleaved(blocks)
    (tmp_path / "whole.jpg").write_bytes(whole)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[:whole.rindex(b"\xff\xda")] + EOI)
    assert np.abs(_pillow(cut) - load_image(tmp_path / "whole.jpg")).max() > 0.2  # Pillow loads it, off-colour
    with pytest.raises(InputError, match=rf"^{cut} {UNCODED} or re-download it$"):
        load_image(cut)
