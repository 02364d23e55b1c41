"""What a file's first bytes say it is, for the message about a file Pillow could not identify or decode: the format
of a damaged header (`signed`), or one Pillow does not read (`unread`), named so that its owner knows what to do;
`what` says which, the one rule `jaxart stylize` and `jaxart info` name a file by (`unwritten`: info's advice).
`unread`'s words say "is WHAT, which Pillow cannot read...; what to do"."""

from __future__ import annotations

import struct
import warnings
import zlib
from pathlib import Path

from PIL import TiffImagePlugin

_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF", b"GIF89a": "GIF",
               b"II*\0": "TIFF", b"MM\0*": "TIFF"}
# ISO base media brands of HEIF, the iPhone's default photo format (HEVC-coded: heic, heix, ...; any codec: mif1,
# msf1). AVIF is HEIF too, with mif1 among its brands, and Pillow reads it: its avif/avis brands exclude it.
_HEIF = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
_AVIF = {b"avif", b"avis"}
_JXL = (b"\xff\x0a", b"\0\0\0\x0cJXL \r\n\x87\n")  # a bare codestream, and the ISO container
# Camera RAW files by their first bytes: Canon's CR2 is a TIFF with "CR" after its header (Pillow called it a TIFF
# with a damaged header), Olympus' ORF and Panasonic's RW2 TIFFs of their own byte order marks, Fuji's RAF its own.
_RAW = {b"IIRO": "ORF", b"IIRS": "ORF", b"MMOR": "ORF", b"IIU\0": "RW2", b"FUJIFILMCCD-RAW": "RAF"}
_ZIPPED = {b"application/x-krita": "a Krita document (.kra), which Pillow cannot read; in Krita choose File > "
                                   "Export and save a PNG",
           b"image/openraster": "an OpenRaster document (.ora), which Pillow cannot read; export it as PNG"}


INFO_READS = "`jaxart info` reads the run record of a PNG or TIFF jaxart wrote"  # info's advice: it reads no copy


def _head(p: Path, n: int = 256) -> bytes:
    with open(p, "rb") as f:
        return f.read(n)


def what(p: Path, opened: bool = False) -> str | None:
    """What follows `p` in the one-line message about a file Pillow could not read: the format it is in that Pillow
    does not read (`unread`), a PNG cut short (`cut`), else the format whose damaged header it starts with (`signed`);
    None if none. `opened`: Pillow identified it and failed to decode it, so its header read and is not named."""
    if why := unread(p):
        return why
    if why := cut(p):
        return why
    # "convert it to PNG" told the owner of a PNG with a damaged header to convert it
    if not opened and (kind := signed(p)):
        return f"starts as {'an' if kind[0] in 'AEIOU' else 'a'} {kind} file but its header is damaged; re-export or " \
            "re-download it"
    return None


def truncated(why: str, advice: str = "re-export or re-download it") -> str:
    """What follows a path in the one-line message about an image Pillow could not decode, or one cut short (`why`),
    with what to do (`advice`: stylize's; `jaxart info`'s is `image_record`'s)."""
    return f"is damaged or truncated ({why}); {advice}"


def cut(p: Path) -> str | None:
    """What follows `p` in a one-line message when `p` is a PNG that ends before its pixel data, every chunk before
    the end whole (IHDR first, CRCs right) and the last cut or missing: a copy cut short, which Pillow called
    unidentified ("its header is damaged") or "Truncated File Read"; None for other files."""
    if signed(p) != "PNG":
        return None
    with open(p, "rb") as f:
        f.seek(8)
        first = True
        while len(head := f.read(8)) == 8:
            size, kind = struct.unpack(">I4s", head)
            if not kind.isalpha() or first and (kind != b"IHDR" or size != 13) or kind == b"IDAT":
                return None
            first, body = False, f.read(size + 4)
            if len(body) < size + 4:
                break
            if zlib.crc32(kind + body[:-4]) != struct.unpack(">I", body[-4:])[0] or kind == b"IEND":
                return None
        if first or head[4:] and not head[4:].isalpha():
            return None
        return truncated(f"a PNG cut short after {f.tell():,} bytes, before its pixel data")


def unwritten(p: Path) -> str | None:
    """What follows `p` in `jaxart info`'s line for a file in a format Pillow does not read (`unread`): what it is,
    its words up to ", which", and that jaxart writes none, with what info reads, not how to convert it (a converted
    copy holds no record either)."""
    why = unread(p)
    return why and f"{why.partition(', which ')[0]}, which jaxart does not write; {INFO_READS}"


def signed(p: Path) -> str | None:
    """The image format whose signature `p` starts with, if any (a WebP's is RIFF, its size, WEBP; an AVIF's an ftyp
    box of an avif or avis brand, where this Pillow reads AVIF)."""
    head = _head(p, 64)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if _brands(head) & _AVIF and _reads_avif():
        return "AVIF"
    return next((kind for sig, kind in _SIGNATURES.items() if head.startswith(sig)), None)


def _brands(head: bytes) -> set[bytes]:
    """The major and compatible brands of the ftyp box `head` starts with; none if it starts with another."""
    if head[4:8] != b"ftyp":
        return set()
    end = min(struct.unpack(">I", head[:4])[0], len(head))
    return {head[8:12], *(head[i:i + 4] for i in range(16, end - 3, 4))}


def _reads_avif() -> bool:
    from PIL import features

    return bool(features.check("avif"))


def unread(p: Path) -> str | None:
    """What follows `p` in a one-line message when `p` is in a format, or a variant of one, that Pillow does not read
    (HEIC, JPEG XL, a 16-bit PSD, a PSB, one whose merged image is ZIP-compressed; an AVIF where this Pillow has no
    AVIF; an SVG, PDF, GIMP, Krita, OpenRaster or Procreate file; a camera RAW file); None for other files."""
    head = _head(p, 1024)
    brands = _brands(head)
    if brands & _AVIF and not _reads_avif():
        return "is an AVIF image, which this Pillow was built without; export it as PNG or JPEG"
    if brands & _HEIF and not brands & _AVIF:
        return ("is a HEIC (HEIF) photo, an iPhone's default format, which Pillow cannot read; export it as JPEG (an "
                "iPhone takes JPEGs with Settings > Camera > Formats > Most Compatible)")
    if head.startswith(_JXL):
        return "is a JPEG XL image, which Pillow cannot read; export it as PNG or JPEG"
    if head[:4] == b"8BPS" and len(head) >= 26:
        version, bits = struct.unpack(">H", head[4:6])[0], struct.unpack(">H", head[22:24])[0]
        zipped = _psd_compression(p, version) in (2, 3)  # a PSD's was "damaged or truncated (OSError: cannot load ...)"
        if version == 2:  # a ZIP-compressed one's words were a PSB's alone, where a PSD's name its compression
            return (f"is a PSB (Photoshop Large Document){_ZIP * zipped}, which Pillow cannot read; save it as a PSD "
                    "of 8 bits a channel, or export it as PNG")
        if bits not in (1, 8):
            return (f"is a {bits}-bit PSD, which Pillow cannot read (it reads 8-bit ones); in Photoshop choose "
                    "Image > Mode > 8 Bits/Channel and save it, or export it as PNG")
        if zipped:
            return f"is a PSD{_ZIP}, which Pillow cannot read (it reads raw and RLE ones); export it as PNG or TIFF"
    return _document(p, head) or _raw(head, brands) or _raw_tiff(p, head)


_ZIP = " whose merged image is ZIP-compressed"


def _psd_compression(p: Path, version: int = 1) -> int | None:
    """The compression of a PSD's (`version` 1) or PSB's (2) merged image (0 raw, 1 RLE, 2 ZIP, 3 ZIP with
    prediction), after its colour mode data, image resources and layers, each a length (a PSB's layers' of 8 bytes)
    and its bytes; None where the file ends first."""
    with open(p, "rb") as f:
        f.seek(26)
        for n in (4, 4, 8 if version == 2 else 4):
            if len(size := f.read(n)) < n:
                return None
            f.seek(int.from_bytes(size, "big"), 1)
        code = f.read(2)
    return struct.unpack(">H", code)[0] if len(code) == 2 else None


def _document(p: Path, head: bytes) -> str | None:
    """The words for a vector drawing, page or painting program's document, which Pillow does not read."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")  # a UTF-8 mark, white space
    if text.startswith((b"<?xml", b"<svg", b"<!DOCTYPE svg", b"<!--")) and b"<svg" in head:
        return "is an SVG (a vector drawing), which Pillow cannot read; export it as PNG at the size you want"
    if head.startswith(b"%PDF-"):  # an Illustrator .ai file too
        return "is a PDF, which Pillow cannot read; export the page or picture as PNG or JPEG"
    if head.startswith(b"gimp xcf "):
        return "is a GIMP image (.xcf), which Pillow cannot read; in GIMP choose File > Export As and save a PNG"
    if not head.startswith(b"PK\3\4"):
        return None
    if head[30:38] == b"mimetype":  # a zip whose first entry, stored, names the document type
        return next((f"is {words}" for kind, words in _ZIPPED.items() if head[38:].startswith(kind)), None)
    import zipfile

    try:
        with zipfile.ZipFile(p) as z:
            procreate = "Document.archive" in z.namelist()
    except Exception:  # noqa: BLE001 - any damaged zip: not named
        return None
    return ("is a Procreate document, which Pillow cannot read; in Procreate choose Actions > Share > PNG or JPEG"
            if procreate else None)


def _raw(head: bytes, brands: set[bytes]) -> str | None:
    """The words for a camera RAW file its first bytes name (CR2, CR3, ORF, RW2, RAF); `preview` for those Pillow
    opens as a TIFF (DNG, NEF, ...)."""
    kind = "CR2" if head[:4] == b"II*\0" and head[8:10] == b"CR" else "CR3" if b"crx " in brands else next(
        (k for sig, k in _RAW.items() if head.startswith(sig)), None)
    return None if kind is None else raw_words(kind)


def raw_words(kind: str, preview: str = "") -> str:
    """The words for a camera RAW file of `kind` (CR2, DNG, ...), `preview` (such as " beyond its 160x120 preview")
    said of what Pillow cannot read."""
    return (f"is a camera RAW file ({kind}), which Pillow cannot read{preview}; develop it to JPEG or TIFF in a raw "
            "converter (your camera's, Lightroom, darktable, RawTherapee)")


_MAKERS = {"NIKON": "NEF", "SONY": "ARW", "PENTAX": "PEF", "SAMSUNG": "SRW", "RICOH": "PEF", "LEICA": "DNG"}
# A first page of sensor data, which Pillow cannot open or decode: TIFF/EP's colour filter array or DNG's linear raw
# photometric interpretation; a RAW maker's own compression (Sony's ARW, Nikon's, Samsung's, Kodak's).
_SENSOR = {32803, 34892}
_RAW_CODES = {32767, 32769, 32770, 32772, 34713, 65000}


def _camera(tags, p: Path) -> str | None:
    """The camera RAW format (DNG, NEF, ARW, ...) a TIFF's first-page `tags` (a dict of tag: value) name by a
    DNGVersion, or SubIFDs beside a page marked reduced or a RAW maker's Make; None for other TIFFs."""
    reduced = isinstance(kind := tags.get(254), int) and kind & 1
    make = str(tags.get(271, "")).upper()
    maker = next((k for m, k in _MAKERS.items() if make.startswith(m)), None)
    # an ARW's first page is not always marked reduced; an old one's is the sensor data itself (`_raw_tiff`)
    if 50706 not in tags and not (330 in tags and (reduced or maker)) and not (
            tags.get(262) in _SENSOR or tags.get(259) in _RAW_CODES):
        return None
    return "DNG" if 50706 in tags else maker or p.suffix[1:].upper() or "TIFF"


def _raw_tiff(p: Path, head: bytes) -> str | None:
    """The words for a TIFF Pillow could not open or decode whose first page's tags name a camera RAW file (an old
    Sony ARW's first page is its sensor data, which Pillow called a TIFF with a damaged header); None for others.
    Its tags are read by Pillow's own TIFF directory, as `preview` reads an opened TIFF's."""
    if head[:4] not in (b"II*\0", b"MM\0*") or len(head) < 8:
        return None
    tags = TiffImagePlugin.ImageFileDirectory_v2(head[:8])
    with open(p, "rb") as f, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a cut directory: Pillow's "Corrupt EXIF data", with the tags before it
        f.seek(tags.next)
        try:
            tags.load(f)
        except (OSError, ValueError, struct.error):
            return None
    return None if (kind := _camera(tags, p)) is None else raw_words(kind)


def preview(opened, p: Path) -> str | None:
    """What follows `p` in a one-line message when `opened`, a TIFF Pillow opened, is a camera RAW file (a DNG, a
    Nikon NEF, ...), whose first page is a small preview of a picture Pillow cannot read: that preview was stylized,
    upscaled, as if it were the photo. None for other TIFFs."""
    kind = _camera(opened.tag_v2, p)
    return None if kind is None else raw_words(kind, f" beyond its {opened.width}x{opened.height} preview")
