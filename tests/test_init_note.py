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


def test_a_png_whose_exif_follows_its_pixels_is_turned_as_load_image_turns_it(tmp_path, monkeypatch):
    """Pillow finds such an eXIf chunk only once it decodes the pixels, and load_image turns the picture by it: read
    from the header alone it was taken as not turned, a 60x40 at orientation 6 for 60x40 (the run's 40x60), and
    the note said nothing of its aspect against a 60x40 photo."""
    import io
    import struct

    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    data = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 10, 10)).save(data, "PNG", exif=exif)
    data, chunks, at = data.getvalue(), {}, 8
    while at < len(data):
        n = struct.unpack(">I", data[at:at + 4])[0]
        chunks[data[at + 4:at + 8]] = data[at:at + 12 + n]
        at += 12 + n
    assert list(chunks) == [b"IHDR", b"eXIf", b"IDAT", b"IEND"]
    path = tmp_path / "late.png"
    path.write_bytes(data[:8] + chunks[b"IHDR"] + chunks[b"IDAT"] + chunks[b"eXIf"] + chunks[b"IEND"])
    assert load_image(path).shape[:2] == (60, 40)
    _no_decoding(monkeypatch)
    assert decode_memory.oriented_shape(path) == (60, 40)
    said = notes.init_note(np.zeros((40, 60, 3), np.float32), str(path))
    assert said.startswith(f"--init {path} is 40x60 and the photo 60x40 (aspect "), said
