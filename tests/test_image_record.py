"""The run record inside an image: it round-trips in every format, is read from a truncated file, and
anything else (other programs' TIFFs, animations, damaged or foreign records) is one clear error."""

import json
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

import jaxart
from jaxart import formats, output
from jaxart.errors import InputError
from jaxart.image_record import read_record
from jaxart.output import save_png

from conftest import run_main
from test_outputs import PIXELS


def test_info_refuses_another_programs_tiff_description(tmp_path, monkeypatch, capsys):
    """tifffile writes {"shape": ...} there, scanners plain text: neither is a run record."""
    for i, text in enumerate([json.dumps({"shape": [5, 6, 3]}), "Scanned with EPSON"]):
        Image.fromarray(np.zeros((5, 6, 3), np.uint8)).save(tmp_path / f"{i}.tif", description=text)
        code, out, err = run_main(["info", str(tmp_path / f"{i}.tif")], monkeypatch, capsys)
        assert code == 2 and not out and "has no jaxart run record" in err, err
    output.save_image(tmp_path / "ours.tif", PIXELS, {"shape": "ours"}, "tiff")
    assert jaxart.read_record(tmp_path / "ours.tif") == {"shape": "ours"}


def _png(path, **kw):
    Image.new("RGB", (2, 2)).save(path, "PNG", **kw)
    return path


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.text(), JSON, max_size=4))
def test_record_round_trips(record):
    with tempfile.TemporaryDirectory() as d:
        path = save_png(Path(d) / "out.png", np.zeros((2, 2, 3)), record)
        assert read_record(path) == record


@pytest.mark.parametrize("fmt", ["png", "png16"])
def test_the_record_of_a_truncated_image_is_still_read(fmt, tmp_path):
    """`jaxart info` decoded the pixels to reach the record: an image cut short (a copy that stopped)
    said "image file is truncated" though its record, written before the pixels, was whole."""
    noise = np.random.default_rng(0).random((64, 64, 3))
    path = jaxart.save_image(tmp_path / "out.png", noise, {"step": 3}, fmt)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert read_record(path) == {"step": 3}


def test_read_record_errors_are_input_errors(tmp_path):
    plain = _png(tmp_path / "plain.png")
    info = PngImagePlugin.PngInfo()
    info.add_text("jaxart", "{oops")
    bad_json = _png(tmp_path / "bad.png", pnginfo=info)
    deep = PngImagePlugin.PngInfo()
    deep.add_text("jaxart", "[" * 100_000 + "]" * 100_000)  # valid JSON, nested past Python's recursion limit
    too_deep = _png(tmp_path / "deep.png", pnginfo=deep)
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"hello")
    for path, fragment in [(plain, "no jaxart run record"), (bad_json, "damaged jaxart run record"),
                           (too_deep, "damaged jaxart run record"),
                           (notes, "could not be read"),
                           (tmp_path / "gone.png", "gone.png does not exist; check the path")]:
        with pytest.raises(InputError, match=fragment):
            read_record(path)


def test_a_truncated_tiff_is_one_error_without_pillows_warning(tmp_path):
    import warnings

    path = jaxart.save_image(tmp_path / "t.tif", np.random.default_rng(0).random((64, 64, 3)), {"a": 1}, "tiff")
    path.write_bytes(path.read_bytes()[:3000])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(InputError, match="starts as a TIFF file but its header is damaged; re-export"):
            read_record(path)
    assert not seen, [str(w.message) for w in seen]  # `jaxart info` printed it above its error line


def test_info_on_an_animation_points_to_the_image_holding_the_record(tmp_path, monkeypatch, capsys):
    """It said "was it written by jaxart?" of the GIF jaxart's own --animate wrote."""
    for name in ("run.gif", "run.webp"):
        frames = [Image.fromarray(np.full((8, 8, 3), v, np.uint8)) for v in (0, 255)]
        frames[0].save(tmp_path / name, save_all=True, append_images=frames[1:])
        code, out, err = run_main(["info", str(tmp_path / name)], monkeypatch, capsys)
        assert code == 2 and not out and len(err.splitlines()) == 1, err
        assert "is an animation" in err and "carries no run record" in err and "--output" in err, err


LACKS = ("checkpoint lacks jaxart, weights_sha256, model, config, inputs, format, inputs.content, inputs.styles; it "
         "was edited or damaged, so start the run again")


def test_info_of_a_checkpoint_says_what_it_is_and_how_to_continue(tmp_path, monkeypatch, capsys):
    """It answered "error: ... is a checkpoint of an interrupted run ..., not an image" and exit 2, of a file jaxart
    wrote and named in its interruption's line; then a line of prose on stdout, which `| jq` could not read; now its
    metadata as JSON on stdout, as an image's record is, the description on stderr, and --command the --resume."""
    from jaxart import checkpoint

    ckpt = tmp_path / "my run.ckpt.npz"
    checkpoint.save(ckpt, {"x": np.zeros((2, 3)), "m": np.ones(4)}, {"output": str(tmp_path / "my run.png"),
                                                                    "step": 40, "seed": 7})
    code, out, err = run_main(["info", str(ckpt)], monkeypatch, capsys)
    assert (code, err) == (0, f"{ckpt}: a checkpoint of an interrupted run (at step 40); continue it with "
                              f"`jaxart stylize --resume '{ckpt}'`\nwarning: --resume would refuse it now: {LACKS}"), \
        out + err  # no image there: none named as holding the run record
    assert json.loads(out) == {  # what it holds, not its arrays or their layout
        "kind": "run", "step": 40, "steps": None, "output": str(tmp_path / "my run.png"), "seed": 7,
        "resume": f"jaxart stylize --resume '{ckpt}'", "checkpoint_format": checkpoint.FORMAT, "frames": 0,
        "resumable": False, "refused": LACKS}
    code, out, err = run_main(["info", str(ckpt), "--command"], monkeypatch, capsys)
    assert (code, out, err) == (0, f"jaxart stylize --resume '{ckpt}'\n",
                                f"warning: --resume would refuse it now: {LACKS}"), err
    with pytest.raises(InputError, match="is a checkpoint of an interrupted run .at step 40., not an image: continue "
                                         "the run with `jaxart stylize --resume"):
        read_record(ckpt)  # the library's caller asked for a run record: there is none


def test_info_of_a_checkpoint_says_how_many_steps_its_run_has(tmp_path, monkeypatch, capsys):
    """It said "(at step 40)" where the interrupted run's own line had said "at step 40 of 50"."""
    ckpt = tmp_path / "r.ckpt.npz"
    config = json.loads(json.dumps(jaxart.StyleConfig(steps=50).to_dict()))  # as JSON gives it back: lists
    with open(ckpt, "wb") as f:
        np.savez(f, meta=np.array(json.dumps({"step": 40, "config": config})))
    code, out, err = run_main(["info", str(ckpt)], monkeypatch, capsys)
    assert code == 0 and err.startswith(f"{ckpt}: a checkpoint of an interrupted run (at step 40 of 50);"), out + err
    assert json.loads(out) == {"kind": "run", "step": 40, "steps": 50, "config": config,
                               "resume": f"jaxart stylize --resume {ckpt}", "resumable": False,
                               "refused": f"{ckpt} is not a jaxart checkpoint: it lacks some of its saved arrays (it "
                                          "was edited or damaged); give the .ckpt.npz an interrupted run wrote"}


def test_info_of_a_damaged_or_foreign_npz_is_still_an_error(tmp_path, monkeypatch, capsys):
    foreign, cut = tmp_path / "weights.npz", tmp_path / "o.ckpt.npz"
    np.savez(foreign, w=np.zeros(3))
    cut.write_bytes(foreign.read_bytes()[:40])
    for path in (foreign, cut):
        code, out, err = run_main(["info", str(path)], monkeypatch, capsys)
        assert code == 2 and not out and err.startswith(f"error: {path} could not be read as an image"), err


def test_info_on_a_partial_weights_download_says_what_it_is_and_what_finishes_it(tmp_path, monkeypatch, capsys):
    """Of vgg19's (HDF5, which Pillow identifies) it said "no jaxart run record; was it written by jaxart?"."""
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))
    (tmp_path / "w").mkdir()
    partial, elsewhere = tmp_path / "w" / ".vgg19.partial", tmp_path / ".vgg19.partial"
    for path in (partial, elsewhere):
        path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(2000))  # the head of a cut-off .h5
    code, out, err = run_main(["info", str(partial)], monkeypatch, capsys)
    assert code == 2 and not out and err == (
        f"error: {partial} is the partial download of weight set vgg19, not an image: `jaxart weights fetch vgg19` "
        "finishes it, `jaxart weights remove vgg19` deletes it"), err
    code, out, err = run_main(["info", str(elsewhere)], monkeypatch, capsys)  # not where a fetch keeps it
    assert code == 2 and err.endswith("has no jaxart run record; was it written by jaxart?"), err


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_a_record_naming_non_ascii_files_round_trips_in_every_format(fmt, tmp_path):
    record = {"inputs": {"content": "café.jpg", "styles": ["東京.png"]}, "step": 2}
    path = jaxart.save_image(tmp_path / ("out.tif" if fmt == "tiff" else "out.png"), PIXELS, record, fmt)
    assert read_record(path) == record


def test_a_record_that_is_not_a_json_object_is_refused(tmp_path):
    info = PngImagePlugin.PngInfo()
    info.add_text("jaxart", "[1, 2]")
    with pytest.raises(InputError, match="not a JSON object"):
        read_record(_png(tmp_path / "list.png", pnginfo=info))


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_an_image_saved_without_a_record_or_with_an_empty_one_reads_back_so(fmt, tmp_path):
    """`save_image(path, image)` writes no record, and {} an empty one. A TIFF's description of 4 bytes or fewer
    ("\\0", "{}\\0") was written at an offset, where TIFF keeps it in the tag: both read as "a damaged jaxart run
    record (Expecting value: line 1 column 1 (char 0)); re-run to write a new one"."""
    path = jaxart.save_image(tmp_path / ("out.tif" if fmt == "tiff" else "out.png"), PIXELS, None, fmt)
    with pytest.raises(InputError, match="was written by jaxart without a run record"):  # its Software chunk or tag
        read_record(path)
    assert read_record(jaxart.save_image(path, PIXELS, {}, fmt)) == {}
    assert jaxart.load_image(path).shape == PIXELS.shape


def _claiming_huge(path, record):
    """A PNG holding `record` whose header claims 100000x100000 pixels (it holds 2x2): Pillow's open refuses it as
    a decompression bomb, and decoding it whole would take 186 GiB."""
    save_png(path, np.zeros((2, 2, 3)), record)
    data = bytearray(path.read_bytes())
    data[16:24] = struct.pack(">II", 100_000, 100_000)  # IHDR's width and height, then its CRC
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))
    return path


def test_info_of_an_image_too_large_to_decode_shows_its_record(tmp_path, monkeypatch, capsys):
    """Its record, in a text chunk before the pixels, needs no decode; info refused it as stylize refuses the
    image ("decoding it whole takes about 186.3 GiB but only ... is free"), and `--command` then raised Pillow's
    DecompressionBombError as a traceback where the image fit in memory."""
    monkeypatch.setattr("jaxart.pixel_limit.host_bytes", lambda: 2**30)
    record = {"config": {"size": 32}, "inputs": {"content": str(tmp_path / "photo.jpg"),
                                                 "styles": [str(tmp_path / "paint.png")]}, "model": "vgg19"}
    huge = _claiming_huge(tmp_path / "huge.png", record)
    code, out, err = run_main(["info", str(huge)], monkeypatch, capsys)
    assert code == 0 and json.loads(out) == record, err
    assert err == (f"warning: {huge} is 100000x100000 pixels, too many to decode here: its run record was read from "
                   "its header, its pixels were not")
    assert read_record(huge) == record  # the library's too, saying nothing
    monkeypatch.setattr("jaxart.pixel_limit.host_bytes", lambda: 2**50)  # fits: the pixels could be read
    code, out, err = run_main(["info", str(huge), "--command"], monkeypatch, capsys)
    assert code == 0 and out.startswith(f"jaxart stylize {tmp_path / 'photo.jpg'} "), err
    plain = _claiming_huge(tmp_path / "plain.png", None)  # no record to show: refused as before
    monkeypatch.setattr("jaxart.pixel_limit.host_bytes", lambda: 2**30)
    code, out, err = run_main(["info", str(plain)], monkeypatch, capsys)
    assert code == 2 and not out and "decoding it whole takes about 186.3 GiB" in err, err


def test_info_of_a_name_pasted_with_a_space_says_so(tmp_path, monkeypatch, capsys):
    """It said "out.png  could not be read (no such file)", the space unseen, where stylize names it."""
    out = save_png(tmp_path / "out.png", np.zeros((2, 2, 3)), {"step": 1})
    for argv, says in ((["info", f"{out} "], f"error: '{out} ' does not exist: it has a space at its start or end, "
                                             f"and {out} exists; drop the space"),
                       (["info", str(tmp_path)], f"error: {tmp_path} is a folder; give a PNG or TIFF jaxart wrote")):
        code, out_, err = run_main(argv, monkeypatch, capsys)
        assert (code, out_, err) == (2, "", says)
