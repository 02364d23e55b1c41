"""Where results go: any name the folder allows, a second writer racing for the same file, no folder
left by a refused run, and images written whole, exact and with normal permissions."""

import os
import warnings
from unittest import mock

import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import destinations, formats, output
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
    assert code == 2 and f"dang.png is a symbolic link to {tmp_path / 'nowhere' / 'x.png'}, which does not " \
                         "exist; pass --overwrite" in err, err


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


def test_an_animation_under_a_file_names_the_animation_folder(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match=rf"^animation folder {tmp_path}/file: {tmp_path}/file is a file, not a "
                                         r"folder; choose another animation path$"):
        destinations.check_animation(tmp_path / "file" / "x.gif")


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
