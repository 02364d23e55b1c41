"""The files an artist has beside photos and paintings that Pillow does not read (an SVG, a PDF, a GIMP, Krita,
OpenRaster or Procreate document, a camera RAW file) are named from their bytes, whatever their suffix, with what to
do: each was "not in an image format Pillow can read; convert it to PNG or JPEG" (a Canon CR2 "starts as a TIFF file
but its header is damaged"), and a DNG was stylized from its small preview, upscaled, as if it were the photo."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from PIL import Image, TiffImagePlugin

from conftest import run_main
from jaxart.errors import InputError
from jaxart.image import load_image
from test_unread_formats import info_says


def _zip(*entries: tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            z.writestr(name, data, compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 100, 50)).save(buf, "PNG")
    return buf.getvalue()


def raw(kind: str) -> str:
    return f"is a camera RAW file ({kind}), which Pillow cannot read; develop it to JPEG or TIFF in a raw converter " \
        "(your camera's, Lightroom, darktable, RawTherapee)"


SVG = "is an SVG (a vector drawing), which Pillow cannot read; export it as PNG at the size you want"
DOCUMENTS = {
    "svg": (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"/>', SVG),
    "svg-bare": (b'\xef\xbb\xbf<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3"></svg>', SVG),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "is a PDF, which Pillow cannot read; export the "
                                                                  "page or picture as PNG or JPEG"),
    "xcf": (b"gimp xcf v011\0" + struct.pack(">III", 4, 3, 0) + bytes(40), "is a GIMP image (.xcf), which Pillow "
                                                                          "cannot read; in GIMP choose File > Export "
                                                                          "As and save a PNG"),
    "kra": (_zip(("mimetype", b"application/x-krita"), ("mergedimage.png", _png())),
            "is a Krita document (.kra), which Pillow cannot read; in Krita choose File > Export and save a PNG"),
    "ora": (_zip(("mimetype", b"image/openraster"), ("mergedimage.png", _png())),
            "is an OpenRaster document (.ora), which Pillow cannot read; export it as PNG"),
    "procreate": (_zip(("Document.archive", b"bplist00" + bytes(30)), ("QuickLook/Thumbnail.png", _png())),
                  "is a Procreate document, which Pillow cannot read; in Procreate choose Actions > Share > PNG or "
                  "JPEG"),
    "cr2": (b"II*\0" + struct.pack("<I", 16) + b"CR\x02\0" + bytes(100), raw("CR2")),
    "cr3": (struct.pack(">I", 24) + b"ftypcrx " + bytes(4) + b"crx isom" + bytes(100), raw("CR3")),
    "orf": (b"IIRO\x08\0\0\0" + bytes(100), raw("ORF")),
    "rw2": (b"IIU\0\x08\0\0\0" + bytes(100), raw("RW2")),
    "raf": (b"FUJIFILMCCD-RAW 0201FF383501" + bytes(100), raw("RAF")),
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_a_document_or_raw_file_is_named_with_what_to_do(name, tmp_path, monkeypatch, capsys):
    data, says = DOCUMENTS[name]
    path = tmp_path / "photo.jpg"  # the bytes, not the suffix, name it
    path.write_bytes(data)
    with pytest.raises(InputError) as e:
        load_image(path)
    assert str(e.value) == f"{path} {says}"
    assert run_main(["info", str(path)], monkeypatch, capsys) == (2, "", f"error: {path} {info_says(says)}")


def test_info_of_an_svg_says_jaxart_wrote_no_svg_not_to_export_it(tmp_path, monkeypatch, capsys):
    """`jaxart info a.svg` said "export it as PNG at the size you want": the PNG exported holds no run record."""
    path = tmp_path / "a.svg"
    path.write_bytes(DOCUMENTS["svg"][0])
    assert run_main(["info", str(path)], monkeypatch, capsys) == (
        2, "", f"error: {path} is an SVG (a vector drawing), which jaxart does not write; `jaxart info` reads the run "
               "record of a PNG or TIFF jaxart wrote")


@pytest.mark.parametrize("kind", ["DNG", "NEF", "ARW"])
def test_a_raw_file_pillow_opens_as_a_tiff_is_refused_not_stylized_from_its_preview(kind, tmp_path):
    """Pillow reads a DNG's, NEF's or ARW's first page, a preview of a few hundred pixels, which loaded as the photo
    (an ARW's, not marked as reduced, even where a NEF's was refused)."""
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    if kind == "DNG":
        tags[50706] = b"\x01\x04\x00\x00"  # DNGVersion 1.4
    else:  # a first page reduced-resolution (a NEF's) or not marked so (an ARW's), the picture in its SubIFDs
        tags[271], tags[330] = ("NIKON CORPORATION" if kind == "NEF" else "SONY"), 8
        tags.tagtype[330] = 4
        if kind == "NEF":
            tags[254] = 1
    path = tmp_path / "photo.tif"
    Image.new("RGB", (40, 30), (10, 20, 200)).save(path, tiffinfo=tags)
    with pytest.raises(InputError) as e:
        load_image(path)
    assert str(e.value) == f"{path} is a camera RAW file ({kind}), which Pillow cannot read beyond its 40x30 " \
        "preview; develop it to JPEG or TIFF in a raw converter (your camera's, Lightroom, darktable, RawTherapee)"


def test_the_files_beside_them_still_load_or_are_told_to_convert(tmp_path):
    """The controls: a TIFF with a camera's Make tag, a multi-size ICO (its largest), a TGA with alpha (over white)
    and a JPEG 2000 load; a zip of something else and an HTML page are still told to convert."""
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[271] = "NIKON CORPORATION"
    Image.new("RGB", (40, 30), (10, 20, 200)).save(tmp_path / "scan.tif", tiffinfo=tags)
    assert load_image(tmp_path / "scan.tif").shape == (30, 40, 3)
    Image.new("RGB", (64, 64), (10, 200, 30)).save(tmp_path / "icon.ico", sizes=[(16, 16), (32, 32), (64, 64)])
    assert load_image(tmp_path / "icon.ico").shape == (64, 64, 3)
    Image.new("RGBA", (40, 30), (0, 0, 255, 0)).save(tmp_path / "clear.tga")
    assert load_image(tmp_path / "clear.tga").min() == 1.0  # transparent: the white background
    Image.new("RGB", (40, 30), (10, 20, 200)).save(tmp_path / "photo.jp2")
    assert load_image(tmp_path / "photo.jp2").shape == (30, 40, 3)
    for name, data in (("notes.zip", _zip(("notes.txt", b"hello"))), ("page.svg", b"<html><body>404</body></html>")):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError, match="not in an image format Pillow can read; convert it to PNG or JPEG"):
            load_image(tmp_path / name)


def _sensor_tiff(order: str, make: bytes, photometric: int, compression: int, w: int = 8, h: int = 6) -> bytes:
    """A TIFF whose first page is a camera's 16-bit sensor data, as an old Sony ARW's is (Make, then the samples)."""
    make += b"\0"
    make_at = 8 + 2 + 12 * 10 + 4
    data_at = make_at + len(make)
    entries = [(254, 4, 1, 0), (256, 4, 1, w), (257, 4, 1, h), (258, 3, 1, 16), (259, 3, 1, compression),
               (262, 3, 1, photometric), (271, 2, len(make), make_at), (273, 4, 1, data_at), (277, 3, 1, 1),
               (279, 4, 1, 2 * w * h)]
    ifd = b"".join(struct.pack(f"{order}HHI", tag, typ, n) + (struct.pack(f"{order}HH", v, 0) if typ == 3 else
                                                             struct.pack(f"{order}I", v)) for tag, typ, n, v in entries)
    head = (b"II*\0" if order == "<" else b"MM\0*") + struct.pack(f"{order}I", 8) + struct.pack(f"{order}H", 10)
    return head + ifd + bytes(4) + make + bytes(range(256))[: 2 * w * h]


@pytest.mark.parametrize("order, make, photometric, compression, kind", [
    ("<", b"SONY", 32803, 32767, "ARW"),  # a DSLR-A100's: Sony's compression, a colour filter array
    (">", b"NIKON CORPORATION", 32803, 1, "NEF"),  # uncompressed, big-endian
    ("<", b"Phase One", 34892, 1, "ARW"),  # DNG's linear raw from a maker not listed: the suffix names it
])
def test_a_raw_file_whose_first_page_is_its_sensor_data_is_named_as_a_raw_file(order, make, photometric, compression,
                                                                                 kind, tmp_path, monkeypatch, capsys):
    """An old Sony ARW's first page is the raw itself, which Pillow cannot open: it "starts as a TIFF file but its
    header is damaged; re-export or re-download it", though re-downloading gives the same file."""
    path = tmp_path / "DSC00042.ARW"
    path.write_bytes(_sensor_tiff(order, make, photometric, compression))
    with pytest.raises(InputError) as e:
        load_image(path)
    assert str(e.value) == f"{path} {raw(kind)}"
    assert run_main(["info", str(path)], monkeypatch, capsys) == (2, "", f"error: {path} {info_says(raw(kind))}")


def test_a_tiff_with_a_camera_make_and_ordinary_pixels_still_loads_and_a_damaged_one_is_called_damaged(tmp_path):
    """The controls: a 16-bit grey TIFF tagged SONY, uncompressed, loads; a TIFF whose IFD is cut off is damaged."""
    path = tmp_path / "scan.tif"
    path.write_bytes(_sensor_tiff("<", b"SONY", 1, 1))
    assert load_image(path).shape == (6, 8, 3)
    path.write_bytes(_sensor_tiff("<", b"SONY", 32803, 32767)[:40])
    with pytest.raises(InputError, match="starts as a TIFF file but its header is damaged; re-export"):
        load_image(path)
