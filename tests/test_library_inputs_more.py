"""Bad inputs to the library functions test_api_dtypes.py does not reach: the Grams and weights of
`losses.blend_grams`, `make_targets`' masks, `margin.pad` / `crop`, the key of `random_weights`, and
the paths of `load_image`, `read_record`, `load_weights` and `StyleConfig`'s `init` and `mask`. Each
was JAX's, NumPy's or pathlib's own error, naming no argument; each is one line naming it and what to give."""

from __future__ import annotations

import re

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import losses, margin, targets
from jaxart.errors import InputError

CONFIG = jaxart.StyleConfig(size=16, steps=1, content_layers=("relu1_2",), style_layers=("relu1_1",))
PHOTO = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)
GRAM = np.eye(3, dtype=np.float32)
GIVE_GRAM = "give a (C, C) float array, losses.gram of a feature map"

ODD = {  # what a user may hold, and the words the line says of it
    "objects": (GRAM.astype(object), r"holds Python objects, not numbers \(dtype object\)"),
    "strings": (GRAM.astype(str), r"holds strings, not numbers \(dtype <U32\)"),
    "ragged": ([[1.0, 0.0, 0.0], [0.0, 1.0]], r"is no array \(ValueError: .*inhomogeneous"),
    "None": (None, r"holds Python objects, not numbers \(dtype object\)"),
}


@pytest.mark.parametrize("odd", ODD, ids=list(ODD))
@pytest.mark.parametrize("painting", [1, 2])
def test_a_gram_of_no_numbers_is_named_by_painting_and_layer(odd, painting):
    """Was JAX's "Error interpreting argument to stage as a JAX value" or NumPy's "inhomogeneous shape",
    naming neither the painting nor the layer."""
    x, holds = ODD[odd]
    grams = [{"relu1_1": GRAM}, {"relu1_1": GRAM}]
    grams[painting - 1] = {"relu1_1": x}
    with pytest.raises(InputError, match=f"^painting {painting}'s relu1_1 Gram {holds}.*; {re.escape(GIVE_GRAM)}"):
        losses.blend_grams(grams)


@pytest.mark.parametrize("gram, message", [
    (np.ones(3, np.float32), r"painting 1's g Gram has shape \(3,\), not \(C, C\)"),
    (np.ones((3, 4), np.float32), r"painting 1's g Gram has shape \(3, 4\), not \(C, C\)"),
    (GRAM.astype(np.complex64), r"painting 1's g Gram is complex64"),
])
def test_a_gram_of_no_square_float_shape_is_refused_even_alone(gram, message):
    """One painting's Grams were returned as they were, passing a (3,) or complex "Gram" on to the loss."""
    with pytest.raises(ValueError, match=f"^{message}; {re.escape(GIVE_GRAM)}$"):
        losses.blend_grams([{"g": gram}])


@pytest.mark.parametrize("item", [GRAM, None], ids=["array", "None"])
def test_a_painting_given_as_no_dict_of_grams_says_what_to_give(item):
    """An array was "unhashable type: 'numpy.ndarray'", None "'NoneType' object is not iterable"."""
    with pytest.raises(TypeError, match=r"^painting 2's Grams are .*; give a dict of layer name -> Gram per painting"):
        losses.blend_grams([{"g": GRAM}, item])


@pytest.mark.parametrize("blend, holds", [
    (["a", "b"], r"holds strings, not numbers"),
    (["1", "2"], r"holds strings, not numbers"),  # was read as the numbers 1 and 2
    ([[1.0], [1.0, 2.0]], r"is no array \(ValueError: .*inhomogeneous"),
])
def test_a_blend_of_no_numbers_is_named(blend, holds):
    with pytest.raises(InputError, match=f"^style blend {holds}.*; give one weight per style"):
        losses.blend_grams([{"g": GRAM}, {"g": GRAM}], blend)


def test_blending_still_takes_lists_and_traced_grams():
    """The checks read dtypes and shapes: a nested list and a tracer still blend, and a list of tracers now does
    (jnp.shape of it was a TracerArrayConversionError)."""
    want = losses.blend_grams([{"g": GRAM}, {"g": 3 * GRAM}], [1, 1])["g"]
    np.testing.assert_allclose(want, 2 * GRAM)
    np.testing.assert_allclose(losses.blend_grams([{"g": GRAM.tolist()}, {"g": 3 * GRAM}])["g"], want)
    traced = jax.jit(lambda g: losses.blend_grams([{"g": g}, {"g": 3 * GRAM}])["g"])(GRAM)
    rows = jax.jit(lambda g: losses.blend_grams([{"g": [g[0], g[1], g[2]]}, {"g": 3 * GRAM}])["g"])(GRAM)
    np.testing.assert_allclose(traced, want)
    np.testing.assert_allclose(rows, want)


MASKS = {
    "objects": (np.ones((1, 16, 16), object), r"masks holds Python objects, not numbers"),
    "strings": (np.full((1, 16, 16), "1.0"), r"masks holds strings, not numbers"),
    "ragged": ([[[1.0] * 16] * 15 + [[1.0] * 15]], r"masks is no array \(ValueError: .*inhomogeneous"),
    "complex": (np.ones((1, 16, 16), np.complex64), r"masks are complex64"),
}


@pytest.mark.parametrize("odd", MASKS, ids=list(MASKS))
@pytest.mark.parametrize("make", [jaxart.make_targets, targets.compute_targets], ids=["make", "compute"])
def test_masks_of_no_real_numbers_are_named(tiny_vgg16, make, odd):
    """A ragged list was NumPy's "inhomogeneous shape"; strings of numbers and complex masks (their
    imaginary part dropped with a ComplexWarning) were taken silently."""
    masks, message = MASKS[odd]
    with pytest.raises(InputError, match=f"^{message}.*; give (real )?" + re.escape("(R, H, W) region masks in [0, 1]")):
        make(tiny_vgg16, PHOTO, [PHOTO], CONFIG, masks=masks)


@pytest.mark.parametrize("call", [lambda x: margin.pad(x, 2), lambda x: margin.crop(x, (12, 12, 3))], ids=["pad", "crop"])
@pytest.mark.parametrize("odd", ["objects", "ragged", "None"])
def test_margin_names_an_image_of_no_numbers(call, odd):
    x = {"objects": PHOTO.astype(object), "ragged": [[[0.5] * 3] * 16] * 15 + [[[0.5] * 3] * 15], "None": None}[odd]
    with pytest.raises(InputError, match=r"^(pad|crop)'s x (holds|is no array).*; give an \(\.\.\., H, W, C\) image"):
        call(x)


@pytest.mark.parametrize("key, got", [(None, "None"), ([0, 0], "a list")])
def test_random_weights_names_a_key_that_is_none(key, got):
    """Was JAX's "unexpected PRNG key type"."""
    with pytest.raises(TypeError, match=rf"^key is {got}; give a PRNG key, jax.random.PRNGKey\(0\)"):
        jaxart.random_weights(key, "vgg16", widths=(4, 8, 8, 8, 8))


PIXELS = {"array": (PHOTO, r"an array of shape \(16, 16, 3\)"), "PIL image": (Image.new("RGB", (4, 4)), "Image"),
          "None": (None, "None")}


@pytest.mark.parametrize("held", PIXELS, ids=list(PIXELS))
def test_load_image_of_pixels_says_they_are_read_already(held):
    """Was pathlib's "expected str, bytes or os.PathLike object, not ndarray", naming no argument."""
    x, got = PIXELS[held]
    with pytest.raises(TypeError, match=rf"^load_image's path must be an image file's path, got {got}; pixels are "
                                        r"read already: give jaxart an \(H, W, 3\) float array in \[0, 1\]"):
        jaxart.load_image(x)


@pytest.mark.parametrize("held", ["array", "None"])
def test_read_record_and_load_weights_name_a_path_that_is_none(held):
    """read_record said "stat: embedded null character in path"; load_weights printed the whole array
    as a weight set's file name."""
    x, got = PIXELS[held]
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
    x, got = PIXELS[held]
    with pytest.raises(TypeError, match=rf"^{field} must be .*, got {got}; {re.escape(hint)}$"):
        jaxart.StyleConfig(**{field: x}, **extra).validate()


def test_a_folder_as_mask_is_called_a_folder(tmp_path):
    with pytest.raises(ValueError, match=f"^mask '{re.escape(str(tmp_path))}' is a folder; give the path of an image file"):
        jaxart.StyleConfig(mask=str(tmp_path), region_colors=("red",)).validate()
