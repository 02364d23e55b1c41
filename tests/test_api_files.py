"""The library's file and setup functions given what a user may pass by mistake (pixels or None for a path, a web
address or pixels as the config's init or mask): the right file, or one exception saying what was wrong, with
nothing written (the weights functions: test_api_weights_misuse.py)."""

from __future__ import annotations

import os
import re

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import checkpoint
from jaxart.errors import InputError, OutputError

PIXELS = np.linspace(0.0, 1.0, 4 * 5 * 3, dtype=np.float32).reshape(4, 5, 3)


@pytest.mark.parametrize("name, head", [("out.png", b"\x89PNG"), ("out.tif", b"II*\0"), ("out.TIFF", b"II*\0")])
def test_save_image_writes_the_format_its_suffix_names(tmp_path, name, head):
    """A .tif held a PNG: TIFF readers refused it, and the 16 bits asked for were 8."""
    path = jaxart.save_image(tmp_path / name, PIXELS)
    assert path.read_bytes()[:4] == head
    assert np.abs(jaxart.load_image(path) - PIXELS).max() <= 1 / 255  # Pillow reads 16-bit RGB as its high byte


@pytest.mark.parametrize("name, says", [("out.jpg", "ends in .jpg"), ("out", "has no suffix")])
def test_save_image_refuses_a_suffix_it_does_not_write_before_writing(tmp_path, name, says):
    """A PNG was written under the name out.jpg (or out): a file whose name misstates its format."""
    with pytest.raises(InputError, match=says):
        jaxart.save_image(tmp_path / name, PIXELS)
    assert list(tmp_path.iterdir()) == []


def test_save_image_with_a_format_writes_it_whatever_the_suffix(tmp_path):
    assert jaxart.save_image(tmp_path / "out.dat", PIXELS, fmt="tiff").read_bytes()[:4] == b"II*\0"


@pytest.mark.parametrize("size", [2.5, "8", True])
def test_load_image_size_must_be_a_whole_number_of_pixels(tmp_path, size):
    """2.5 gave a 2 px image, True a 1 px one, and "8" a TypeError from inside."""
    Image.fromarray((PIXELS * 255).astype(np.uint8)).save(tmp_path / "a.png")
    with pytest.raises(InputError, match=f"^size must be a whole number of pixels >= 1, got {size!r}$"):
        jaxart.load_image(tmp_path / "a.png", size)


def test_load_image_takes_a_size_any_count_takes(tmp_path):
    """A concrete JAX integer, which `steps` and `margin` take, was "size must be at least 1 pixel and a whole
    number, got Array(8, dtype=int32)": the size check was its own rule beside counts.check_count."""
    Image.fromarray((PIXELS * 255).astype(np.uint8)).save(tmp_path / "a.png")
    for size in (jax.numpy.int32(8), np.int64(8)):
        assert jaxart.load_image(tmp_path / "a.png", size).shape == (6, 8, 3)


@pytest.mark.parametrize("record, got", [([1, 2], "a list of 2 items"), ("a run", "the str 'a run'")])
def test_save_image_refuses_a_record_read_record_could_not_read_back(tmp_path, record, got):
    """It was written, and `read_record` then called the file's record damaged."""
    with pytest.raises(TypeError, match=f"^record must be a dict \\(a JSON object\\) or None, got {got}$"):
        jaxart.save_image(tmp_path / "out.png", PIXELS, record)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text, says", [
    ("{", r"^config text is not valid JSON \(Expecting property name .*: line 1 column 2 \(char 1\)\); give the text "
          "to_json writes$"),
    ("[1]", "^config is a list of 1 item, not an object of fields; give what to_dict or to_json writes$"),
    ("[" * 100_000, "^config text is not valid JSON"),  # nested too deep: was a RecursionError
])
def test_from_json_of_text_that_is_no_config_says_so_where(text, says):
    """'{' was a bare JSONDecodeError that never said a config was being read, '[1]' a config 'of the wrong type'."""
    with pytest.raises(InputError, match=says):
        jaxart.StyleConfig.from_json(text)


@pytest.mark.parametrize("name", ["a" * 300 + ".png", "b" * 300 + "/out.png"])
def test_saving_under_a_name_too_long_says_to_give_a_shorter_path_as_the_cli_does(tmp_path, name):
    """It said "(File name too long); check the disk", which sent the user looking at a healthy disk."""
    with pytest.raises(OutputError, match=r"\(File name too long\); a name in this path is longer than the file system "
                                          r"allows \(255 bytes on most\); give a shorter path$"):
        jaxart.save_png(tmp_path / name, PIXELS)
    assert list(tmp_path.iterdir()) == []


READERS = {"load_image": jaxart.load_image, "read_record": jaxart.read_record, "checkpoint.load": checkpoint.load,
           "load_weights": jaxart.load_weights}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name, says", [("a" * 300 + ".png", "give a shorter path"),
                                        ("b" * 300 + "/in.png", "give a shorter path"),
                                        ("loop.png", "leads back to itself; remove or fix the link, or give another path")])
def test_reading_a_name_too_long_or_a_link_loop_says_what_to_do_as_saving_does(tmp_path, reader, name, says):
    """A name too long was a bare OSError ("File name too long"), and a link loop "does not exist",
    which sent the user looking for a file where a link was the fault."""
    os.symlink("loop.png", tmp_path / "loop.png")
    with pytest.raises(InputError, match=f"^could not read .*{says}$"):
        READERS[reader](tmp_path / name)


@pytest.mark.parametrize("inputs", [["a" * 300 + ".png"], ["loop.png"]])
def test_checking_outputs_against_an_input_named_too_long_or_a_link_loop_says_what_to_do(tmp_path, inputs):
    """A name too long was a bare OSError from pathlib's exists(); a link loop passed as no file at all."""
    from jaxart import destinations

    os.symlink("loop.png", tmp_path / "loop.png")
    with pytest.raises(InputError, match="^could not read input file .*(give a shorter path|or give another path)$"):
        destinations.check_not_input([tmp_path / "out.png"], [tmp_path / p for p in inputs])


PHOTO = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)
HELD = {"array": (PHOTO, r"an array of shape \(16, 16, 3\) and dtype float32"),
        "PIL image": (Image.new("RGB", (4, 4)), r"a PIL image \(RGB, 4x4\)"),
        "None": (None, "None")}  # what a path argument may be handed instead, and the words the line says of it


@pytest.mark.parametrize("held", HELD, ids=list(HELD))
def test_load_image_of_pixels_says_they_are_read_already(held):
    """Was pathlib's "expected str, bytes or os.PathLike object, not ndarray", naming no argument."""
    x, got = HELD[held]
    with pytest.raises(TypeError, match=rf"^load_image's path must be an image file's path, got {got}; pixels are "
                                        r"read already: give jaxart an \(H, W, 3\) float array in \[0, 1\]"):
        jaxart.load_image(x)


@pytest.mark.parametrize("held", ["array", "None"])
def test_read_record_and_load_weights_name_a_path_that_is_none(held):
    """read_record said "stat: embedded null character in path"; load_weights printed the whole array
    as a weight set's file name."""
    x, got = HELD[held]
    with pytest.raises(TypeError, match=f"^read_record's path must be the path of a PNG or TIFF jaxart wrote, got {got}$"):
        jaxart.read_record(x)
    with pytest.raises(TypeError, match=f"^load_weights' name_or_path must be a weight set's name, .*, got {got}$"):
        jaxart.load_weights(x)


@pytest.mark.parametrize("field, extra", [("init", {}), ("mask", {"region_colors": ("red",)})])
@pytest.mark.parametrize("url", ["https://example.com/a.jpg", "http:/example.com/a.jpg"])
def test_a_web_address_setting_says_jaxart_reads_files(field, extra, url):
    """Was "init 'https://...' does not exist" and "mask 'https://...' is not a file", as the CLI once said."""
    config = jaxart.StyleConfig(**{field: url}, **extra)
    want = f"{field} {url.replace(':/e', '://e')} is a web address; jaxart reads files: download it and give the file's path"
    with pytest.raises(ValueError, match=f"^{re.escape(want)}$"):
        config.validate()


INIT = ("init", {}, "to start from pixels of your own, give them to jaxart.run as x0")
MASK = ("mask", {"region_colors": ("red",)}, "for masks as an array, give them to jaxart.make_targets as masks")


@pytest.mark.parametrize("field, extra, hint, held", [(*INIT, "array"), (*INIT, "None"), (*MASK, "array")],
                         ids=["init array", "init None", "mask array"])  # mask None is no mask (test_controls_spatial)
def test_an_init_or_mask_of_pixels_says_where_pixels_go(field, extra, hint, held):
    """An array was NumPy's "truth value of an array ... is ambiguous" (init) or its whole repr (mask);
    an init of None was os.stat's "path should be string"."""
    x, got = HELD[held]
    with pytest.raises(TypeError, match=rf"^{field} must be .*, got {got}; {re.escape(hint)}$"):
        jaxart.StyleConfig(**{field: x}, **extra).validate()


def test_a_folder_as_mask_is_called_a_folder(tmp_path):
    with pytest.raises(ValueError, match=f"^mask '{re.escape(str(tmp_path))}' is a folder; give the path of an image file"):
        jaxart.StyleConfig(mask=str(tmp_path), region_colors=("red",)).validate()


def test_save_image_of_swapped_arguments_or_traced_pixels_says_what_to_do_and_writes_nothing(tmp_path):
    """save_image(image, path), torchvision's order, was "expected str, bytes or os.PathLike object, not ndarray",
    and under jax.jit JAX's TracerArrayConversionError of `__array__()`; neither named save_image's argument."""
    out = tmp_path / "out.png"
    with pytest.raises(TypeError, match=r"^save_image's path must be .* got an array of shape \(4, 5, 3\) and dtype "
                                        r"float32; the path "
                                        r"goes first: save_image\(path, image\)$"):
        jaxart.save_image(PIXELS, out)
    with pytest.raises(TypeError, match=r"^save_image's image is traced: it writes concrete pixels, so call it "
                                        "outside jax.jit"):
        jax.jit(lambda x: jaxart.save_image(out, x))(PIXELS)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", ["save_png", "save_image"])
def test_each_save_function_names_itself_in_its_refusals(tmp_path, name):
    """save_png called save_image and its refusals said "save_image": save_png(image, path) was told the path
    goes first in save_image(path, image), a function the user had not called."""
    save, out = getattr(jaxart, name), tmp_path / "out.png"
    with pytest.raises(TypeError, match=rf"^{name}'s path must be .*; the path goes first: {name}\(path, image\)$"):
        save(PIXELS, out)
    with pytest.raises(ValueError,
                       match=rf"^{name} needs an \(H, W, 3\) image, or \(H, W, 4\) with alpha, got shape \(4, 5\)$"):
        save(out, PIXELS[..., 0])
    for pixels, what in ((PIXELS * 255, "has values up to"), ((PIXELS * 255).astype(np.uint8), "is uint8")):
        with pytest.raises(ValueError, match=rf"^{name}'s image {what}"):
            save(out, pixels)
    with pytest.raises(TypeError, match=rf"^{name}'s image is traced"):
        jax.jit(lambda x: save(out, x))(PIXELS)
    assert os.listdir(tmp_path) == []
