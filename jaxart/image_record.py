"""The run record an image jaxart wrote carries: where it is kept in a PNG or TIFF, and reading it back
(`jaxart info`). `output.save_image` writes it."""

from __future__ import annotations

import json
import os
import shlex
import warnings
from collections.abc import Callable
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from jaxart import pixel_limit
from jaxart.errors import InputError, describe
from jaxart.paths import as_path, check_path, empty, missing, not_a_file

RECORD_KEY = "jaxart"
SOFTWARE = b"jaxart\0"  # a TIFF's Software tag: its ImageDescription is the run record


def read_record(path: str | os.PathLike, warn: Callable[[str], object] | None = None) -> dict:
    """The run record the image at `path` carries, a PNG (8- or 16-bit) or TIFF that `save_image` or
    `save_png` wrote; only the record is read, not the pixels. One too large to decode here (`pixel_limit.opened`
    refuses it) still gives the record its header holds, and `warn` is told, in one line, that its pixels were not
    read.

    Returns:
      The record given to `save_image`, a dict of JSON values.

    Raises:
      InputError: the file is missing or unreadable, or holds no valid jaxart record; `CheckpointGiven` where it is
        an interrupted run's or sweep's checkpoint.
    """
    check_path(as_path(path, "read_record's path", "the path of a PNG or TIFF jaxart wrote"), "image")
    if not Path(path).is_file():  # a FIFO or device would block Image.open
        # As stylize says of its photo: "could not be read (no such file)" hid a space pasted with the name.
        raise InputError(f"{path} {there}; give a PNG or TIFF jaxart wrote" if (there := not_a_file(path))
                         else missing(path))
    if name := _downloading(Path(path)):  # an HDF5 one was "no jaxart run record; was it written by jaxart?"
        raise InputError(f"{path} is the partial download of weight set {name}, not an image: `jaxart weights fetch "
                         f"{name}` finishes it, `jaxart weights remove {name}` deletes it")
    if why := empty(path):  # Pillow's "cannot identify image file" said less
        raise InputError(why)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's (a large image, odd chunks, a cut TIFF): only the record is read
            with _opened(Path(path), warn) as img:  # over Pillow's pixel limit, as stylize reads it
                # A PNG's text chunks before its pixels (where jaxart writes the record) are read on open:
                # the pixels are not decoded, so a truncated image with its record whole still has one.
                text = _header_record(img)
                if text is None:
                    text = _record_after_pixels(img, path)
                kind, animated = img.format, getattr(img, "is_animated", False)
                software = str(img.info.get("Software") or getattr(img, "tag_v2", {}).get(305, "")).rstrip("\0")
    except InputError:  # the size stylize refuses too
        raise
    except Exception as e:  # noqa: BLE001 - any unreadable file is a bad input here
        from jaxart.checkpoint import read_meta  # here: it imports NumPy, which `info` of an image never needs

        from jaxart.resume import moved_meta

        if isinstance(meta := read_meta(path), dict):  # `info OUT.ckpt.npz`, `info GRID.ckpt.npz`: not an image
            raise CheckpointGiven(path, moved_meta(meta, path)[0]) from None  # where --resume writes: moved with it
        from jaxart import sniff

        # As stylize names it: a HEIC, a PNG whose header is damaged, was "could not be read as an image"; a format
        # jaxart never writes, with what info reads, where it was told to "export it as PNG" (info reads no copy)
        opened = not isinstance(e, UnidentifiedImageError)  # a PNG cut in a chunk: OSError
        if why := sniff.unwritten(Path(path)) or sniff.what(Path(path), opened):
            raise InputError(f"{path} {why}") from None
        raise InputError(f"{path} could not be read as an image ({describe(e, path)}); "
                         "give a PNG or TIFF jaxart wrote") from None
    if text is None and kind in ("GIF", "WEBP"):
        raise _no_record(path, kind, animated)
    if text is None and software == SOFTWARE.rstrip(b"\0").decode():  # `stylize --record none`
        raise InputError(f"{path} was written by jaxart without a run record (--record none, or save_image "
                         "without one): nothing to show")
    if text is None:
        raise InputError(f"{path} has no jaxart run record; was it written by jaxart?")
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as e:  # RecursionError: nesting too deep to be a record
        raise InputError(f"{path} has a damaged jaxart run record ({e}); re-run to write a new one") from None
    if not isinstance(record, dict):
        raise InputError(f"{path} has a jaxart run record that is not a JSON object; re-run to write a new one")
    return record


class CheckpointGiven(InputError):
    """`read_record`'s answer of an interrupted run's or sweep's checkpoint (OUT.ckpt.npz), a file jaxart wrote that
    holds no run record, so not an error of the user's in `jaxart info`: `record` is what it holds (its metadata, its
    arrays' layout left out), with `kind` ("run" or "sweep"), `steps` (its run's; None where its config is none) and
    `resume`, the command that continues it; `line` says that in words, `resume` is that command (argv), and the
    message says it is no image."""

    def __init__(self, path: str | os.PathLike, meta: dict):
        from jaxart.checkpoint import total_steps

        sweep, step, steps = meta.get("kind") == "sweep", meta.get("step"), total_steps(meta)
        self.resume = ["jaxart", "sweep" if sweep else "stylize", "--resume", str(path)]
        of = "" if steps is None else f" of {steps}"  # as its interruption's line said it: "at step 289 of 400"
        if sweep:  # a sweep's says its step whatever the file holds
            what = f"a checkpoint of an interrupted sweep to {meta.get('output')} (at step {step}{of}; no tiles or " \
                "sheet written yet)"
        else:
            what = "a checkpoint of an interrupted run" + (f" (at step {step}{of})" if isinstance(step, int) else "")
        beside = "" if sweep else _image_so_far(meta)
        command = f"`{shlex.join(self.resume)}`{beside}"
        self.line = f"{path}: {what}; continue it with {command}"
        self.record = {**{k: v for k, v in meta.items() if k not in ("structure", "leaves")},
                       "kind": "sweep" if sweep else "run", "steps": steps, "resume": shlex.join(self.resume)}
        super().__init__(f"{path} is {what}, not an image: continue the {'sweep' if sweep else 'run'} with {command}")


def _image_so_far(meta: dict) -> str:
    """The clause naming a run checkpoint's image so far, as `--resume` would find it: "holds the run record" only
    where that image is its own (it said so of one saved again by another program, which --resume then refused)."""
    from jaxart.checkpoint import Checkpoint
    from jaxart.resume import is_own_output

    output = meta.get("output")
    if not isinstance(output, str) or not output or not os.path.lexists(output):
        return ""
    try:
        own = is_own_output(Checkpoint(meta, []), output)
    except (KeyError, TypeError, ValueError, OSError):  # an edited checkpoint: --resume refuses it for that
        own = False
    return f"; its image so far, {output}, " + ("holds the run record" if own else
                                                "no longer holds the run record (replaced or saved again since)")


def _no_record(path, kind: str, animated: bool) -> InputError:
    """The line for a GIF or WebP, which jaxart never writes a record into, still or animated."""
    if not animated:  # a still image, from any program
        return InputError(f"{path} has no jaxart run record: jaxart writes one into PNG and TIFF images, "
                          f"not {kind}; give the image a run wrote (its --output)")
    return InputError(f"{path} is an animation ({kind}), which carries no run record; the image the run "
                      f"wrote (its --output, a PNG or TIFF) holds it: give that")


def _record_after_pixels(img: Image.Image, path: str | os.PathLike) -> str | None:
    """The record in a PNG's text chunk after its pixels, which reading it decodes: one cut or damaged in them (Pillow's
    "image file is truncated") is named as stylize names it, with info's advice, as it has no record where jaxart
    writes one (`_header_record`): it was "could not be read as an image"."""
    from jaxart import sniff

    try:
        return getattr(img, "text", {}).get(RECORD_KEY)
    except Exception as e:  # noqa: BLE001 - Pillow's OSError, zlib's error, ...
        advice = f"it has no run record before its pixel data, where jaxart writes one, and {sniff.INFO_READS}"
        raise InputError(f"{path} {sniff.truncated(describe(e, path), advice)}") from None


def _header_record(img: Image.Image) -> str | None:
    """The record text `img`'s header holds, read as it opened (nothing decoded): a PNG's text chunk before its
    pixels, where jaxart writes it, or a TIFF's ImageDescription (`_tiff_record`); else None."""
    text = img.info.get(RECORD_KEY) if img.format == "PNG" else None
    if text is None and img.format == "TIFF":
        text = _tiff_record(img.tag_v2)
    return text if isinstance(text, str) else None


def _opened(path: Path, warn: Callable[[str], object] | None) -> Image.Image:
    """`pixel_limit.opened(path)`; where it refuses the image as too large to decode here, the image opened with
    Pillow's limit lifted if its header holds a record (reading it decodes nothing), `warn` told so, else the
    refusal. The caller closes it."""
    try:
        return pixel_limit.opened(path)
    except InputError:
        with pixel_limit.lifted():
            img = Image.open(path)
        if _header_record(img) is None:  # a record after the pixels is read by decoding them: refused
            kind, animated = img.format, getattr(img, "is_animated", False)
            img.close()
            if kind in ("GIF", "WEBP"):  # no record, whatever its size: "save a smaller copy" was no use
                raise _no_record(path, kind, animated) from None
            raise
        if warn is not None:
            w, h = img.size
            frames = _frames(img)
            counted = "" if frames is None else f"{frames} "
            what = (f"{path} is {w}x{h} pixels" if frames == 1 else f"the first of {path}'s {counted}frames, the "
                    f"one its record is in and stylize reads, is {w}x{h} pixels")
            warn(f"{what}, too many to decode here: its run record was read from its header, its pixels were not")
        return img


def _frames(img: Image.Image) -> int | None:
    """How many frames `img` holds (a TIFF's pages), counted from their headers, nothing decoded; None where a later
    one's header is cut short or damaged (Pillow's TypeError "Missing dimensions", ...), `img` back at its first."""
    try:
        return getattr(img, "n_frames", 1)
    except Exception:  # noqa: BLE001 - the first frame, which holds the record, is whole: it is read as before
        img.seek(0)
        return None


def _downloading(path: Path) -> str | None:
    """The registered weight set whose download `path` is, `.NAME.partial` in the weights folder; else None."""
    if not (path.name.startswith(".") and path.name.endswith(".partial")):
        return None
    # Here, not above: the package imports NumPy, safetensors and http.client, which `info` of an image never needs.
    from jaxart.weights import SOURCES, folder

    name = path.name[1:-len(".partial")]
    return name if name in SOURCES and path.resolve() == folder.partial_path(name).resolve() else None


def _tiff_record(tags) -> str | None:
    """A TIFF's ImageDescription if it is a jaxart record, else None: scanners, cameras and other
    programs write their own text or JSON there. jaxart's TIFFs say so in their Software tag;
    older ones (without it) have a JSON object naming the jaxart version."""
    text = tags.get(270)
    if not isinstance(text, str):
        return None
    if str(tags.get(305, "")).rstrip("\0") == SOFTWARE.rstrip(b"\0").decode():
        return text
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return text if isinstance(record, dict) and RECORD_KEY in record else None
