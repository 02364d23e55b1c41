"""Files of a format Pillow does not read (an iPhone's HEIC, JPEG XL, a 16-bit PSD, a PSB) are named from their first
bytes, whatever their suffix, with what to do: each was "not in an image format Pillow can read; convert it to PNG or
JPEG", which told a phone's owner neither what the file was nor how to get another."""

from __future__ import annotations

import struct
import zlib

import pytest
from PIL import Image, features

from conftest import run_main
from jaxart.errors import InputError
from jaxart.image import load_image


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    """An ISO base media ftyp box, then the start of a meta box, as a HEIF file begins."""
    body = major + bytes(4) + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + struct.pack(">I", 12) + b"meta" + bytes(200)


def _psd(bits: int, version: int = 1, compression: int = 0) -> bytes:
    """A 4x3 RGB Photoshop file of `bits` a channel, its merged image uncompressed (0) or ZIP-compressed (2, 3)."""
    header = b"8BPS" + struct.pack(">H", version) + bytes(6) + struct.pack(">HIIHH", 3, 3, 4, bits, 3)
    pixels = b"\x80" * (36 * max(bits // 8, 1))
    lengths = bytes(16 if version == 2 else 12)  # colour mode data, image resources, layers (a PSB's of 8 bytes)
    return header + lengths + struct.pack(">H", compression) + (zlib.compress(pixels) if compression else pixels)


HEIC = "is a HEIC (HEIF) photo, an iPhone's default format, which Pillow cannot read; export it as JPEG (an iPhone " \
       "takes JPEGs with Settings > Camera > Formats > Most Compatible)"
UNREAD = {
    "iphone": (_ftyp(b"heic", b"mif1", b"heic"), HEIC),
    "heif-major": (_ftyp(b"mif1", b"mif1", b"heic"), HEIC),  # as some Android phones write it
    "hevc-sequence": (_ftyp(b"hevc", b"msf1", b"hevc"), HEIC),
    "jxl-codestream": (b"\xff\x0a\xfa\x7f" + bytes(100), "is a JPEG XL image, which Pillow cannot read; export it "
                                                          "as PNG or JPEG"),
    "jxl-container": (b"\0\0\0\x0cJXL \r\n\x87\n" + _ftyp(b"jxl ", b"jxl "), "is a JPEG XL image, which Pillow "
                                                                              "cannot read; export it as PNG or JPEG"),
    "psd-16": (_psd(16), "is a 16-bit PSD, which Pillow cannot read (it reads 8-bit ones); in Photoshop choose "
                         "Image > Mode > 8 Bits/Channel and save it, or export it as PNG"),
    "psb": (_psd(8, version=2), "is a PSB (Photoshop Large Document), which Pillow cannot read; save it as a PSD of "
                                "8 bits a channel, or export it as PNG"),
    # It was called a PSB alone, where a PSD's words name its ZIP-compressed merged image.
    "psb-zip": (_psd(8, version=2, compression=2), "is a PSB (Photoshop Large Document) whose merged image is "
                                                   "ZIP-compressed, which Pillow cannot read; save it as a PSD of 8 "
                                                   "bits a channel, or export it as PNG"),
}
ZIPPED_PSD = "is a PSD whose merged image is ZIP-compressed, which Pillow cannot read (it reads raw and RLE ones); " \
             "export it as PNG or TIFF"


@pytest.mark.parametrize("name", sorted(UNREAD))
def test_a_file_of_a_format_pillow_does_not_read_is_named_with_what_to_do(name, tmp_path):
    data, says = UNREAD[name]
    path = tmp_path / "photo.jpg"  # the header, not the suffix, names it
    path.write_bytes(data)
    with pytest.raises(InputError) as e:
        load_image(path)
    assert str(e.value) == f"{path} {says}"


@pytest.mark.parametrize("compression", [2, 3])
def test_a_psd_whose_merged_image_is_zip_compressed_is_named_with_what_to_do(compression, tmp_path):
    """Pillow opens it and then cannot decode it: it was "damaged or truncated (OSError: cannot load this image);
    re-export or re-download it", which a re-download does not mend."""
    path = tmp_path / "paint.psd"
    path.write_bytes(_psd(8, compression=compression))
    with pytest.raises(InputError) as e:
        load_image(path)
    assert str(e.value) == f"{path} {ZIPPED_PSD}"


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow reads no AVIF")
@pytest.mark.parametrize("cut", ["half", "garbled"])
def test_a_damaged_avif_is_named_as_an_avif(cut, tmp_path, monkeypatch, capsys):
    """It was "not in an image format Pillow can read; convert it to PNG or JPEG", as a text file is, where a damaged
    PNG, JPEG or GIF is named with what to do; `jaxart info` said "could not be read as an image
    (UnidentifiedImageError: ...)" of it: one rule names it for both."""
    Image.new("RGB", (8, 6), (200, 100, 50)).save(tmp_path / "whole.avif")
    data = bytearray((tmp_path / "whole.avif").read_bytes())
    if cut == "half":
        data = data[:len(data) // 2]
    else:  # the bytes after its ftyp box overwritten
        data[40:] = bytes(b ^ 0x5A for b in data[40:])
    path = tmp_path / "photo.avif"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as e:
        load_image(path)
    assert str(e.value) == f"{path} starts as an AVIF file but its header is damaged; re-export or re-download it"
    assert run_main(["info", str(path)], monkeypatch, capsys) == (2, "", f"error: {e.value}")


def info_says(says: str) -> str:
    """`jaxart info`'s words for a file stylize names by `says`: what it is, and what info reads, not how to export it
    (info reads the record of a PNG or TIFF jaxart wrote, never of an exported copy)."""
    return f"{says.partition(', which ')[0]}, which jaxart does not write; `jaxart info` reads the run record of a " \
        "PNG or TIFF jaxart wrote"


@pytest.mark.parametrize("name", sorted(UNREAD))
def test_info_names_the_format_as_stylize_does(name, tmp_path, monkeypatch, capsys):
    """`jaxart info photo.heic` said "could not be read as an image (UnidentifiedImageError: cannot identify image
    file)" where stylize named it a HEIC: one rule names it for both; then "export it as JPEG", advice for stylize."""
    data, says = UNREAD[name]
    path = tmp_path / "photo.heic"
    path.write_bytes(data)
    code, out, err = run_main(["info", str(path)], monkeypatch, capsys)
    assert (code, out, err) == (2, "", f"error: {path} {info_says(says)}")
    assert "export" not in err and "Settings" not in err


def test_the_formats_pillow_reads_beside_them_still_load(tmp_path):
    """The controls: an 8-bit PSD loads, as does an AVIF (HEIF too, with mif1 among its brands) where Pillow reads
    AVIF; a file of no format is still told to convert."""
    (tmp_path / "paint.psd").write_bytes(_psd(8))
    assert load_image(tmp_path / "paint.psd").shape == (3, 4, 3)
    if features.check("avif"):
        Image.new("RGB", (8, 6), (200, 100, 50)).save(tmp_path / "photo.avif")
        assert (tmp_path / "photo.avif").read_bytes()[4:8] == b"ftyp"
        assert load_image(tmp_path / "photo.avif").shape == (6, 8, 3)
    (tmp_path / "notes.heic").write_text("<html>404 Not Found</html>\n")
    with pytest.raises(InputError, match="not in an image format Pillow can read; convert it to PNG or JPEG"):
        load_image(tmp_path / "notes.heic")
