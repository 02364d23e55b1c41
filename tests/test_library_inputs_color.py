"""Bad inputs to `jaxart.color`, `guided.region_masks` / `guided_gram` / `parse_colors` and `random_weights`'
key that gave NumPy's or JAX's own error ("Eigenvalues did not converge", "could not convert string to
float", "Error interpreting argument to _he_params"), or a silent wrong result (None as NaN luminance, a
uint8 mask as white). Each is now one line naming the argument and what to give."""

from __future__ import annotations

import re

import jax
import numpy as np
import pytest

import jaxart
from jaxart import color, guided
from jaxart.errors import InputError

PHOTO = np.random.default_rng(0).random((8, 8, 3))
LUMA = PHOTO[..., 0]
GIVE_LUMA = "give an (H, W) float array of luminance in [0, 1], color.luminance of an image"
GIVE_MASK = "give an (H, W, 3) float array in [0, 1], as jaxart.load_image reads a mask"
GIVE_COLORS = "give an (R, 3) array of RGB in 0..255, one per region, such as guided.parse_colors(['red', 'blue'])"
NO_NUMBERS = {  # what a user may hold, and the words the line says of it
    "objects": (LUMA.astype(object), r"holds Python objects, not numbers \(dtype object\)"),
    "strings": (LUMA.astype(str), r"holds strings, not numbers \(dtype <U32\)"),
    "one string": ("0.5", r"holds strings, not numbers \(dtype <U3\)"),
    "None": (None, r"holds Python objects, not numbers \(dtype object\)"),
}


def _nan(x: np.ndarray, n: int = 1) -> np.ndarray:
    x = x.copy()
    x.reshape(-1)[:n] = np.nan
    return x


@pytest.mark.parametrize("which", ["style", "content"])
@pytest.mark.parametrize("method", ["pca", "chol", "sym"])
def test_match_colors_names_the_image_with_nan(which, method):
    """Was NumPy's LinAlgError "Eigenvalues did not converge" (pca, sym) or a NaN image (chol), naming
    neither image; stylize and run refuse such pixels too, so the user is told which to fix."""
    images = {"style": PHOTO, "content": PHOTO, which: _nan(PHOTO, 2)}
    with pytest.raises(InputError, match=f"^match_colors' {which} has 2 NaN or infinite values; give finite floats"):
        color.match_colors(images["style"], images["content"], method)


@pytest.mark.parametrize("eps", [-1.0, None, "1e-8"])
def test_match_colors_refuses_an_eps_of_no_small_number(eps):
    """-1 made NaN colours from sqrt with a RuntimeWarning; None and a string were NumPy's TypeError."""
    with pytest.raises(ValueError, match=r"^match_colors' eps is .*; give a small number >= 0, such as 1e-8$"):
        color.match_colors(PHOTO, PHOTO, "pca", eps)


def test_a_mode_or_method_given_as_an_array_is_refused_by_name():
    """Was NumPy's "The truth value of an array with more than one element is ambiguous"."""
    mode = np.array(["pca", "sym"])
    with pytest.raises(ValueError, match=r"^colour match method .* is not one of pca, chol, sym$"):
        color.match_colors(PHOTO, PHOTO, mode)
    with pytest.raises(ValueError, match=r"^colors .* is not one of style, luminance"):
        color.prepare(PHOTO, [PHOTO], mode)


@pytest.mark.parametrize("odd", NO_NUMBERS, ids=list(NO_NUMBERS))
@pytest.mark.parametrize("which", ["luma", "reference"])
def test_match_luminance_refuses_luminance_of_no_numbers(odd, which):
    """Was no error: None became NaN (an all-NaN result), "0.5" the number 0.5, objects were cast."""
    x, holds = NO_NUMBERS[odd]
    args = {"luma": LUMA, "reference": LUMA, which: x}
    with pytest.raises(InputError, match=f"^match_luminance's {which} {holds}; {re.escape(GIVE_LUMA)}"):
        color.match_luminance(args["luma"], args["reference"])


def test_match_luminance_refuses_nan_and_integers():
    """NaN gave an all-NaN painting; 0..255 integers were matched as they were, with no error."""
    with pytest.raises(InputError, match="^match_luminance's reference has 1 NaN or infinite value; give finite"):
        color.match_luminance(LUMA, _nan(LUMA))
    with pytest.raises(InputError, match=r"^match_luminance's luma is uint8; give floats in \[0, 1\] \(divide by 255\)"):
        color.match_luminance((LUMA * 255).astype(np.uint8), LUMA)
    got = color.match_luminance(LUMA, LUMA * 0.5 + 0.25)  # still what it was: the reference's mean and deviation
    np.testing.assert_allclose([got.mean(), got.std()], [LUMA.mean() * 0.5 + 0.25, LUMA.std() * 0.5], rtol=1e-6)


@pytest.mark.parametrize("odd", ["objects", "strings"])
def test_grey_refuses_luminance_of_no_numbers(odd):
    """Strings and objects came back as an (H, W, 3) array of them, refused only later by `features`."""
    x, holds = NO_NUMBERS[odd]
    with pytest.raises(InputError, match=f"^grey's luma {holds}; {re.escape(GIVE_LUMA)}"):
        color.grey(x)


@pytest.mark.parametrize("text", [None, (255, 0, 0)], ids=["None", "tuple"])
def test_parse_rgb_names_a_colour_that_is_no_text(text):
    """Was "'NoneType' object has no attribute 'strip'"."""
    with pytest.raises(TypeError, match=r"^a colour must be a str such as 'red', '#ff0000' or '255,0,0', got "):
        color.parse_rgb(text)


def test_prepare_refuses_one_painting_given_without_a_list():
    """Each of its rows was taken as a painting: 8 recoloured (8, 3) "paintings", no error."""
    with pytest.raises(TypeError, match=r"^prepare's styles is one \(h, w, 3\) painting; give a list of them, \[painting\]$"):
        color.prepare(PHOTO, PHOTO, "match-pca")


@pytest.mark.parametrize("mask, message", [
    (None, r"holds Python objects, not numbers \(dtype object\)"),
    (PHOTO.astype(object), r"holds Python objects, not numbers \(dtype object\)"),
    (PHOTO.astype(str), r"holds strings, not numbers \(dtype <U32\)"),
    ([[[0.5] * 3] * 8] * 7 + [[[0.5] * 3] * 7], r"is no array \(ValueError: .*inhomogeneous"),
    (np.zeros((2, 8, 8, 3)), r"has shape \(2, 8, 8, 3\)"),
    (_nan(PHOTO), "has 1 NaN or infinite value"),
], ids=["None", "objects", "strings", "ragged", "batch", "nan"])
def test_region_masks_names_a_mask_of_no_pixels(mask, message):
    """Were NumPy's "not enough values to unpack", "ufunc 'clip' did not contain a loop" or
    "inhomogeneous shape", or no error at all (objects, NaN: pixels of no region)."""
    with pytest.raises(ValueError, match=f"^region_masks' mask {message}.*; {re.escape(GIVE_MASK)}"):
        guided.region_masks(mask, [[255, 0, 0]])


def test_region_masks_refuses_a_uint8_mask_with_the_number_to_divide_by():
    """np.asarray(Image.open(mask)) was clipped to [0, 1]: every colour white, matching no region."""
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 0] = 255
    with pytest.raises(InputError, match=r"^region_masks' mask is uint8; give floats in \[0, 1\] \(divide by 255\)"):
        guided.region_masks(red, [[255, 0, 0]])
    assert guided.region_masks(red / 255.0, [[255, 0, 0]]).min() == 1.0  # divided, all of it is the red region


@pytest.mark.parametrize("colors, message", [
    (["red", "blue"], r"holds strings, not numbers \(dtype <U4\)"),
    (None, r"holds Python objects, not numbers \(dtype object\)"),
    ([255, 0, 0], r"are int64 of shape \(3,\)"),
    ([[255, 0, 0], [0, 0]], r"is no array \(ValueError: .*inhomogeneous"),
], ids=["names", "None", "flat", "ragged"])
def test_region_masks_names_colours_of_no_rgb_rows(colors, message):
    """Names were "could not convert string to float: 'red'"; None and a ragged list NumPy's errors too."""
    with pytest.raises(ValueError, match=f"^region_masks' colors {message}.*; {re.escape(GIVE_COLORS)}"):
        guided.region_masks(PHOTO, colors)


@pytest.mark.parametrize("tolerance", ["60", None, -1.0])
def test_region_masks_refuses_a_tolerance_of_no_distance(tolerance):
    """A string or None was NumPy's TypeError; a negative one matched nothing, silently."""
    with pytest.raises(ValueError, match=r"^region_masks' tolerance is .*; give an RGB distance >= 0 in 0..255 units$"):
        guided.region_masks(PHOTO, [[255, 0, 0]], tolerance)


@pytest.mark.parametrize("names", ["red", None], ids=["one string", "None"])
def test_parse_colors_wants_a_list_of_names(names):
    """"red" was the colours 'r', 'e', 'd' ("mask colour 'r' is not a colour name"); None not iterable."""
    with pytest.raises(TypeError, match=r"^mask colours must be a list of names such as \['red', 'blue'\], got "):
        guided.parse_colors(names)


@pytest.mark.parametrize("masks, message", [
    (None, r"holds Python objects, not numbers \(dtype object\)"),
    (np.full((1, 4, 4), "1"), r"holds strings, not numbers \(dtype <U1\)"),
    ([[[1.0] * 4] * 4, [[1.0] * 4] * 3], r"is no array \(ValueError: .*inhomogeneous"),
], ids=["None", "strings", "ragged"])
def test_guided_gram_names_masks_of_no_numbers(masks, message):
    """Were JAX's "None is not a valid value for jnp.array" and NumPy's "inhomogeneous shape"."""
    feature = np.ones((4, 4, 2), np.float32)
    with pytest.raises(InputError, match=rf"^guided_gram's masks {message}.*; give \(R, h, w\) weights in \[0, 1\]"):
        guided.guided_gram(feature, masks)


@pytest.mark.parametrize("key", [
    np.zeros(2, object), np.array(["0", "1"]), np.zeros((4, 4), np.float32), np.zeros(2, np.int32),
    np.zeros((3, 2), np.uint32),
], ids=["objects", "strings", "floats", "int32", "three keys"])
def test_random_weights_names_a_key_of_no_prng_key(key):
    """Were JAX's "Error interpreting argument to <function _he_params ...> as an abstract array",
    "invalid PRNG key data" and "normal accepts a single key", none naming the key argument."""
    with pytest.raises(TypeError, match=rf"^key is an array of {re.escape(str(key.dtype))} of shape "
                                        rf"{re.escape(str(key.shape))}, not one PRNG key; give one"):
        jaxart.random_weights(key, "vgg16", widths=(2, 2, 2, 2, 2))
    raw = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(2, 2, 2, 2, 2))
    typed = jaxart.random_weights(jax.random.key(0), "vgg16", widths=(2, 2, 2, 2, 2))
    np.testing.assert_array_equal(raw.params["conv5_3"]["kernel"], typed.params["conv5_3"]["kernel"])


@pytest.mark.parametrize("key, got", [(None, "None"), ([0, 0], "a list of 2 items")])
def test_random_weights_names_a_key_that_is_none(key, got):
    """Was JAX's "unexpected PRNG key type"."""
    with pytest.raises(TypeError, match=rf"^key is {got}; give a PRNG key, jax.random.PRNGKey\(0\)"):
        jaxart.random_weights(key, "vgg16", widths=(4, 8, 8, 8, 8))
