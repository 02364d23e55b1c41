"""A size below 16 px is refused with the least size that works for the photo, learnt from its header alone (EXIF
orientation applied), with the message decoding it gave; a file that is no photo keeps load_image's message."""

import numpy as np
import pytest
from PIL import ExifTags, Image, ImageFile

from jaxart import image, input_files, photo_size
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart.input_files import photo_shape

ORIENTATION = ExifTags.Base.Orientation


def _saved(path, orientation=None, size=(40, 30), **options):
    """A `size` (width, height) picture of noise at `path`, its EXIF orientation `orientation`."""
    pixels = np.random.default_rng(0).integers(0, 255, (size[1], size[0], 3), np.uint8)
    if orientation is not None:
        exif = Image.Exif()
        exif[ORIENTATION] = orientation
        options["exif"] = exif
    Image.fromarray(pixels).save(path, **options)
    return path


def _decoded_refusal(config, path):
    """What check_small said when it decoded the photo to learn its shape."""
    with pytest.raises(InputError) as e:
        photo_size.check_small(config, image.load_image(path).shape)
    return str(e.value)


@pytest.mark.parametrize("config", [StyleConfig(size=8), StyleConfig(size=64, start_size=12),
                                    StyleConfig(size=64, scales=(10, 64))], ids=["size", "start-size", "scales"])
def test_a_size_below_16_px_is_refused_as_before_from_the_header_of_a_rotated_jpeg(tmp_path, monkeypatch, config):
    photo = _saved(tmp_path / "photo.jpg", orientation=6, size=(90, 20))  # decoded: 20 wide, 90 high
    said = _decoded_refusal(config, photo)
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("the photo was decoded"))
    with pytest.raises(InputError) as e:
        input_files.check_small(config, photo)
    assert str(e.value) == said


XMP = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       '<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>')


@pytest.mark.parametrize("name", ["plain.png", "turned.png", "xmp.png"])
def test_a_size_below_16_px_is_refused_from_the_header_of_a_png_too(tmp_path, monkeypatch, name):
    """A PNG without EXIF before its pixels was decoded whole to look for it after them (exif_transpose's test, written
    again here): pixel_limit.quarter_turned finds it there without decoding, as the --init note does; an XMP
    orientation (which load_image turns by too) as well."""
    from PIL import PngImagePlugin

    config, xmp = StyleConfig(size=8), PngImagePlugin.PngInfo()
    xmp.add_itxt("XML:com.adobe.xmp", XMP)
    photo = _saved(tmp_path / name, orientation=6 if name == "turned.png" else None, size=(90, 20),
                   **({"pnginfo": xmp} if name == "xmp.png" else {}))
    assert image.load_image(photo).shape[:2] == ((20, 90) if name == "plain.png" else (90, 20))
    said = _decoded_refusal(config, photo)
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("the photo was decoded"))
    with pytest.raises(InputError) as e:
        input_files.check_small(config, photo)
    assert str(e.value) == said


@pytest.mark.parametrize("name, orientation, options", [
    ("quarter.jpg", 6, {}), ("other-quarter.jpg", 8, {}), ("transposed.jpg", 5, {}), ("half.jpg", 3, {}),
    ("plain.jpg", None, {}), ("turned.webp", 6, {}), ("turned.png", 8, {}), ("plain.png", None, {}),
    ("turned.tif", None, {"tiffinfo": {ORIENTATION: 6}}), ("plain.tif", None, {}), ("plain.gif", None, {}),
    ("plain.bmp", None, {}), ("decoded.ppm", None, {})])
def test_the_header_gives_the_shape_that_decoding_gives(tmp_path, name, orientation, options):
    path = _saved(tmp_path / name, orientation, **options)
    assert photo_shape(path) == image.load_image(path).shape[:2]


def test_a_photo_over_the_pixel_limit_has_the_shape_load_image_decodes_it_to(tmp_path, monkeypatch):
    path = _saved(tmp_path / "scan.jpg", orientation=6, size=(400, 300))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50_000)  # 120 000 pixels stand for a 20000x15000 scan
    assert photo_shape(path) == image.load_image(path).shape[:2] == (200, 150), "at 1/2 scale, turned"


@pytest.mark.parametrize("content, said", [
    (b"", "is empty (0 bytes); re-export or re-download the image"),
    (b"not a picture", "is not in an image format Pillow can read; convert it to PNG or JPEG"),
    (None, "is 1x5 pixels; use an image at least 2x2"),
    ("folder", "is a folder, not an image; give the path of an image file"),
])
def test_a_file_that_is_no_photo_is_refused_with_load_images_message(tmp_path, content, said):
    path = tmp_path / "photo.png"
    if content is None:
        _saved(path, size=(1, 5))
    elif content == "folder":
        path.mkdir()
    else:
        path.write_bytes(content)
    for check in (lambda: image.load_image(path), lambda: input_files.check_small(StyleConfig(size=8), path)):
        with pytest.raises(InputError) as e:
            check()
        assert str(e.value) == f"{path} {said}"
    with pytest.raises(InputError, match="does not exist"):
        input_files.check_small(StyleConfig(size=8), tmp_path / "missing.jpg")
