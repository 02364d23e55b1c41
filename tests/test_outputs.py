"""Where results go: any name the folder allows, a second writer racing for the same file, no folder
left by a refused run, other programs' TIFFs, and a sweep's page and tiles."""

import json
import os
import stat
import tempfile
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

import jaxart
from jaxart import destinations, formats, output, sheet, sweep
from jaxart.errors import InputError, OutputError
from jaxart.image_record import read_record
from jaxart.output import save_png

from conftest import run_main, write_tiny_job, stylize_argv as _stylize

PIXELS = np.linspace(0, 1, 5 * 6 * 3, dtype=np.float32).reshape(5, 6, 3)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("outputs"))


def test_an_image_name_of_255_bytes_is_written(tmp_path):
    """The temporary file was the name plus 19 characters, so a long legal name failed at the end of a run."""
    path = tmp_path / ("a" * 251 + ".png")
    output.save_png(path, PIXELS, {"jaxart": "test"})
    assert jaxart.read_record(path) == {"jaxart": "test"} and os.listdir(tmp_path) == [path.name]


def test_a_name_whose_checkpoint_would_not_fit_is_refused_before_any_work(files, tmp_path, monkeypatch, capsys):
    """Ctrl-C writes OUT.ckpt.npz, 5 bytes longer than OUT.png: that run would have lost its image."""
    out = tmp_path / ("b" * 248 + ".png")
    code, _, err = run_main(_stylize(files, out), monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "checkpoint name bbbb" in err and "257 bytes, more than the 255 its folder allows" in err
    assert not list(tmp_path.iterdir())


def test_a_refused_run_leaves_no_folder_behind(files, tmp_path, monkeypatch, capsys):
    (tmp_path / "not-an-image.png").write_text("text")
    d, model = files
    args = ["stylize", str(d / "photo.jpg"), str(tmp_path / "not-an-image.png"), "-o", str(tmp_path / "new/a/b.png"),
            "--model", model, "--size", "32", "--steps", "2"]
    code, _, err = run_main(args, monkeypatch, capsys)
    assert code == 2 and "not-an-image.png" in err
    assert not (tmp_path / "new").exists()


def test_an_image_that_appeared_meanwhile_is_kept_and_the_new_one_saved_beside_it(tmp_path):
    """Two runs to one --output, both checked before either wrote: the second used to replace the first."""
    path = tmp_path / "same.png"
    output.save_png(path, PIXELS, {"run": 1})
    with pytest.raises(OutputError, match="was created by something else .* this image is in .*same-[0-9a-f]{6}.png"):
        output.save_image(path, PIXELS[::-1], {"run": 2}, overwrite=False)
    assert jaxart.read_record(path) == {"run": 1}
    (kept,) = [p for p in tmp_path.iterdir() if p != path]
    assert jaxart.read_record(kept) == {"run": 2}


def test_a_race_for_a_name_near_the_limit_still_keeps_the_new_image(tmp_path):
    path = tmp_path / ("c" * 251 + ".png")
    output.save_png(path, PIXELS, {"run": 1})
    with pytest.raises(OutputError, match=r"this image is in .*/jaxart-[0-9a-f]{6}\.png"):
        output.save_image(path, PIXELS, {"run": 2}, overwrite=False)
    (kept,) = tmp_path.glob("jaxart-*.png")
    assert jaxart.read_record(kept) == {"run": 2} and jaxart.read_record(path) == {"run": 1}


def test_a_dangling_link_as_output_is_refused_before_the_run(files, tmp_path, monkeypatch, capsys):
    """Its rename would have failed at the end, calling it "created by another run"."""
    (tmp_path / "dang.png").symlink_to(tmp_path / "nowhere" / "x.png")
    code, _, err = run_main(_stylize(files, tmp_path / "dang.png"), monkeypatch, capsys)
    assert code == 2 and "dang.png already exists; pass --overwrite" in err, err


def test_info_refuses_another_programs_tiff_description(tmp_path, monkeypatch, capsys):
    """tifffile writes {"shape": ...} there, scanners plain text: neither is a run record."""
    for i, text in enumerate([json.dumps({"shape": [5, 6, 3]}), "Scanned with EPSON"]):
        Image.fromarray(np.zeros((5, 6, 3), np.uint8)).save(tmp_path / f"{i}.tif", description=text)
        code, out, err = run_main(["info", str(tmp_path / f"{i}.tif")], monkeypatch, capsys)
        assert code == 2 and not out and "has no jaxart run record" in err, err
    output.save_image(tmp_path / "ours.tif", PIXELS, {"shape": "ours"}, "tiff")
    assert jaxart.read_record(tmp_path / "ours.tif") == {"shape": "ours"}


SETTINGS = sweep.grid(style_weights=[10.0, 10.00001], seeds=[0, 1])
CONFIG = jaxart.StyleConfig(size=6)


def test_the_sweep_page_links_files_whose_names_a_url_would_misread(tmp_path):
    """"run#2-00.png" as a link is the file "run" with fragment "2-00.png"; the page also reads as 0644."""
    files = sheet.write(tmp_path / "run#2.png", np.stack([PIXELS] * 4), SETTINGS, CONFIG)
    page = (tmp_path / "run#2.html").read_text()
    assert 'src="run%232-00.png"' in page and 'src="run%232.png"' in page
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "run#2.html").stat().st_mode) == 0o666 & ~umask
    assert all(p.is_file() for p in files)
    assert sheet.labels(SETTINGS)[0][2] == "style 10.00001  seed 0"  # not "style 10", as the first row


def test_overwriting_with_a_smaller_sweep_removes_the_earlier_tiles_and_nothing_else(tmp_path):
    path = tmp_path / "grid.png"
    sheet.write(path, np.stack([PIXELS] * 4), SETTINGS, CONFIG)
    (tmp_path / "grid-07.png").write_bytes((tmp_path / "grid-03.png").read_bytes())  # an earlier, larger sweep's
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(tmp_path / "grid-09.png")  # the user's own picture
    output.save_png(tmp_path / "grid-08.png", PIXELS, {"jaxart": "0.2.0", "config": {}})  # a stylize -o grid-08.png
    assert sheet.stale_tiles(path, 2) == [tmp_path / f"grid-0{i}.png" for i in (2, 3, 7)]
    sheet.write(path, np.stack([PIXELS] * 2), SETTINGS[:2], CONFIG)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grid-00.png", "grid-01.png", "grid-08.png", "grid-09.png",
                                                          "grid.html", "grid.png"]


def test_a_sweep_will_not_remove_an_earlier_tile_given_as_its_painting(files, tmp_path, monkeypatch, capsys):
    path = tmp_path / "grid.png"
    sheet.write(path, np.stack([PIXELS] * 4), SETTINGS, CONFIG)
    d, model = files
    args = ["sweep", str(d / "photo.jpg"), str(tmp_path / "grid-03.png"), "-o", str(path), "--overwrite",
            "--model", model, "--size", "24", "--steps", "1"]
    code, _, err = run_main(args, monkeypatch, capsys)
    assert code == 2 and "grid-03.png is one of the inputs" in err, err


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


def test_save_png_writes_exact_pixels_atomically_with_normal_permissions(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 256, (5, 7, 3), np.uint8)
    old = os.umask(0o022)
    try:
        path = save_png(tmp_path / "out.png", pixels / 255.0, {"step": 3})
    finally:
        os.umask(old)
    with Image.open(path) as img:
        assert img.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(img), pixels)
    assert os.stat(path).st_mode & 0o777 == 0o644, "not mkstemp's 0600: others can view the result"
    assert os.listdir(tmp_path) == ["out.png"], "no temporary file is left behind"
    assert read_record(path) == {"step": 3}


def test_failed_save_leaves_old_file_and_no_temporary(tmp_path):
    path = save_png(tmp_path / "out.png", np.ones((2, 2, 3)), {"run": 1})
    with mock.patch.object(Image.Image, "save", side_effect=OSError("No space left on device")):
        with pytest.raises(OSError, match="No space"):
            save_png(path, np.zeros((2, 2, 3)), {"run": 2})
    with pytest.raises(TypeError):
        save_png(path, np.zeros((2, 2, 3)), {"run": object()})
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        save_png(path, np.zeros((2, 2)))
    assert os.listdir(tmp_path) == ["out.png"]
    assert read_record(path) == {"run": 1}


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
                           (notes, "could not be read"), (tmp_path / "gone.png", "could not be read")]:
        with pytest.raises(InputError, match=fragment):
            read_record(path)


def test_an_animation_under_a_file_names_the_animation_folder(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match=rf"^animation folder {tmp_path}/file: {tmp_path}/file is a file, not a "
                                         r"folder; choose another animation path$"):
        destinations.check_animation(tmp_path / "file" / "x.gif")


# --- several files as one (files.all_or_nothing, which a sweep's files go through) -------------

def _files(folder: Path) -> dict[str, bytes | str]:
    return {p.name: p.read_bytes() if p.is_file() else "folder" for p in sorted(folder.iterdir())}


def _write_all(folder: Path, names, overwrite=True):
    from jaxart.files import all_or_nothing

    with all_or_nothing(overwrite=overwrite) as stage:
        for name in names:
            stage(folder / name).write_text(f"new {name}")


def test_a_folder_where_a_file_goes_is_named_and_kept_not_moved_aside(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "mine.txt").write_text("keep")
    (tmp_path / "a").write_text("old a")
    before = _files(tmp_path)
    with pytest.raises(OutputError, match=r"could not write file .*b \(Is a directory\); move that folder away"):
        _write_all(tmp_path, ["a", "b"])
    assert _files(tmp_path) == before and (tmp_path / "b" / "mine.txt").read_text() == "keep"


def test_ctrl_c_again_while_putting_back_still_puts_everything_back(tmp_path, monkeypatch):
    for name in "abc":
        (tmp_path / name).write_text(f"old {name}")
    before, real, calls = _files(tmp_path), os.replace, []

    def replace(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if Path(src).name.endswith(".tmp") and Path(dst).name == "b" or (  # placing b, then putting a back
                Path(src).name.endswith(".old") and Path(dst).name == "a" and sum(d == "a" for _, d in calls) == 2):
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        _write_all(tmp_path, "abc")
    assert _files(tmp_path) == before  # a second Ctrl-C left b and c hidden as .jaxart-*.old


def test_putting_back_never_removes_a_file_another_run_wrote_since(tmp_path, monkeypatch):
    (tmp_path / "a").write_text("old a")
    real = os.replace

    def replace(src, dst):
        if Path(dst).name == "b" and Path(src).name.endswith(".tmp"):
            (tmp_path / "a").unlink()
            (tmp_path / "a").write_text("theirs")  # another --overwrite run, between our two renames
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match="No space left"):
        _write_all(tmp_path, "ab")
    assert (tmp_path / "a").read_text() == "theirs" and not (tmp_path / "b").exists()
    kept = [p for p in tmp_path.iterdir() if p.name.endswith(".old")]
    assert [p.read_text() for p in kept] == ["old a"]  # ours, hidden rather than over theirs


def test_a_truncated_tiff_is_one_error_without_pillows_warning(tmp_path):
    import warnings

    path = jaxart.save_image(tmp_path / "t.tif", np.random.default_rng(0).random((64, 64, 3)), {"a": 1}, "tiff")
    path.write_bytes(path.read_bytes()[:3000])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(InputError, match="give a PNG or TIFF jaxart wrote"):
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
def test_an_empty_image_is_refused_and_writes_nothing(fmt, tmp_path):
    for shape in ((0, 4, 3), (4, 0, 3)):
        with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
            jaxart.save_image(tmp_path / "out.png", np.zeros(shape), None, fmt)
    assert os.listdir(tmp_path) == []


def test_16_and_8_bit_levels_are_rounded_to_nearest_and_nan_is_black_without_a_warning():
    x = np.array([0.0, 0.5, 1 / 3, 1.0, 1.2, -0.1, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a cast of NaN to an integer warns: one line more on stderr
        np.testing.assert_array_equal(output.to_uint16(x), [0, 32768, 21845, 65535, 65535, 0, 0])
        np.testing.assert_array_equal(output.to_uint8(x), [0, 128, 85, 255, 255, 0, 0])
    levels = np.arange(65536) / 65535  # every level a 16-bit file holds comes back as itself
    np.testing.assert_array_equal(output.to_uint16(levels), np.arange(65536))


@pytest.mark.parametrize("record", [None, {"a": 1}, {"ab": 1}])
def test_a_tiffs_directory_starts_on_a_word_boundary_as_tiff_6_requires(record, tmp_path):
    path = jaxart.save_image(tmp_path / "out.tif", PIXELS, record, "tiff")
    assert int.from_bytes(path.read_bytes()[4:8], "little") % 2 == 0
    with Image.open(path) as img:
        assert img.size == (6, 5)
