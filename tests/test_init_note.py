"""The CLI's note that an `--init` image's aspect differs from the photo's reads the image's header, EXIF orientation
applied as the run applies it: it decoded the whole file, which the run decodes again (a 48-megapixel one peaks at
1.9 GiB)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import ExifTags, Image, ImageFile

from jaxart import decode_memory, notes
from jaxart.image import load_image
from jaxart.errors import InputError


def _no_decoding(monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail(f"{self.filename} decoded"))


@pytest.mark.parametrize("orientation", [1, 6])
def test_the_init_note_says_the_same_from_the_header_without_decoding(orientation, tmp_path, monkeypatch):
    photo = np.zeros((30, 40, 3), np.float32)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation  # 6: turned a quarter, so 40x60 as the run reads it
    Image.new("RGB", (60, 40), (200, 10, 10)).save(tmp_path / "turned.jpg", exif=exif)
    Image.new("RGB", (80, 60)).save(tmp_path / "same.png")
    said = {name: notes.init_note(photo, str(tmp_path / name)) for name in ("turned.jpg", "same.png")}
    _no_decoding(monkeypatch)
    assert {name: notes.init_note(photo, str(tmp_path / name)) for name in said} == said
    w, h = (40, 60) if orientation == 6 else (60, 40)
    assert said["turned.jpg"].startswith(f"--init {tmp_path / 'turned.jpg'} is {w}x{h} and the photo 40x30 (aspect ")
    assert said["same.png"] is None  # the photo's aspect


def test_an_init_image_whose_header_pillow_cannot_read_is_refused_in_load_images_line(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(InputError, match="bad.png is not in an image format Pillow can read"):
        notes.init_note(np.zeros((30, 40, 3), np.float32), str(tmp_path / "bad.png"))


@pytest.mark.parametrize("suffix", [".jpg", ".tif", ".webp", ".png"])
def test_the_shape_from_the_header_is_the_one_load_image_gives(suffix, tmp_path):
    """A TIFF's size is turned already as Pillow opens it: turned again, a 60x40 TIFF at orientation 6 (40x60 as the
    run reads it) was taken for 60x40, and its aspect against a 60x40 photo said nothing."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    path = tmp_path / f"turned{suffix}"
    Image.new("RGB", (60, 40), (200, 10, 10)).save(path, exif=exif)
    assert decode_memory.oriented_shape(path) == load_image(path).shape[:2] == (60, 40)
    said = notes.init_note(np.zeros((40, 60, 3), np.float32), str(path))
    assert said.startswith(f"--init {path} is 40x60 and the photo 60x40 (aspect "), said
