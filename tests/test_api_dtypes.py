"""Arrays of no numbers (objects, strings, bytes, dates) and ragged lists given to the public functions:
each is refused with one line naming the argument, what it holds and what to give, where JAX said
"Error interpreting argument to stage as a JAX value", naming neither; the check stays static under jit."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import jaxart
from jaxart import losses
from jaxart.errors import InputError

CONFIG = jaxart.StyleConfig(size=16, steps=1, content_layers=("relu1_2",), style_layers=("relu1_1",))
PHOTO = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)
IMAGE = r"give an \(H, W, 3\) float array in \[0, 1\]"

ODD = {  # what a user may hold: (the array, the words the line says it holds)
    "objects": (PHOTO.astype(object), r"holds Python objects, not numbers \(dtype object\)"),
    "strings": (np.full((16, 16, 3), "0.5"), r"holds strings, not numbers \(dtype <U3\)"),
    "bytes": (np.full((16, 16, 3), b"a"), r"holds bytes, not numbers \(dtype \|S1\)"),
    "dates": (np.zeros((16, 16, 3), "datetime64[s]"), r"holds dates, not numbers \(dtype datetime64\[s\]\)"),
    "ragged": ([[[0.5] * 3] * 16] * 15 + [[[0.5] * 3] * 15], r"is no array \(ValueError: .*inhomogeneous"),
}

CALLS = {  # the public function, and the name its line gives the argument
    "features": (lambda w, x: jaxart.features(w, x, ["relu1_1"]), "image", IMAGE),
    "total_loss": (lambda w, x: jaxart.total_loss(w, x, jaxart.make_targets(w, PHOTO, [PHOTO], CONFIG),
                                                  jaxart.loss_config(CONFIG), (1.0, 1.0, 1.0)), "image", IMAGE),
    "tv_loss": (lambda w, x: losses.tv_loss(x), "tv_loss's image", IMAGE),
    "gram": (lambda w, x: losses.gram(x), "gram's feature", "give a float array"),
    "content_loss feature": (lambda w, x: losses.content_loss(x, PHOTO), "content_loss's feature", "give a float array"),
    "content_loss target": (lambda w, x: losses.content_loss(PHOTO, x), "content_loss's target", "give a float array"),
    "style_loss": (lambda w, x: losses.style_loss({"a": x}, {"a": np.eye(3, dtype=np.float32)}), "gram's feature",
                   "give a float array"),
    "style_layer_loss target": (lambda w, x: losses.style_layer_loss(PHOTO, x), "style_layer_loss's target Gram",
                                "give a float array"),
    "make_targets photo": (lambda w, x: jaxart.make_targets(w, x, [PHOTO], CONFIG), "the content", IMAGE),
    "make_targets painting 2": (lambda w, x: jaxart.make_targets(w, PHOTO, [PHOTO, x], CONFIG), "painting 2 of 2",
                                IMAGE),
    "stylize photo": (lambda w, x: jaxart.stylize(x, [PHOTO], weights=w, config=CONFIG), "photo", IMAGE),
    "run painting 2": (lambda w, x: jaxart.run(PHOTO, [PHOTO, x], weights=w, config=CONFIG), "painting 2", IMAGE),
}


@pytest.mark.parametrize("odd", ODD, ids=list(ODD))
@pytest.mark.parametrize("call", CALLS, ids=list(CALLS))
def test_an_array_of_no_numbers_is_named_with_what_to_give(tiny_vgg16, call, odd):
    fn, what, advice = CALLS[call]
    x, holds = ODD[odd]
    if odd == "ragged" and "style_layer_loss" in call:
        x = [[0.5, 0.5], [0.5]]
    if odd != "ragged" and "style_layer_loss" in call:
        x = x[0, :3]  # a (3, 3) target Gram
    with pytest.raises(InputError, match=f"^{what} {holds}.*; {advice}"):
        fn(tiny_vgg16, x)


def test_the_hint_says_how_to_turn_objects_into_floats_and_strings_into_pixels(tiny_vgg16):
    with pytest.raises(InputError, match=r"\(if they are numbers, x.astype\(np.float32\)\)$"):
        jaxart.features(tiny_vgg16, PHOTO.astype(object), ["relu1_1"])
    with pytest.raises(InputError, match=r"\(for an image file, jaxart.load_image\(path\)\)$"):
        losses.tv_loss(np.array([["photo.jpg"]]))


def test_numbers_still_pass_as_lists_and_under_jit(tiny_vgg16):
    """The check reads dtypes only: nested lists of floats, tracers, and lists of tracers still work."""
    want = losses.tv_loss(PHOTO)
    np.testing.assert_allclose(losses.tv_loss(PHOTO.tolist()), want, rtol=1e-6)
    np.testing.assert_allclose(jax.jit(losses.tv_loss)(PHOTO), want, rtol=1e-6)
    listed = jax.jit(lambda x: losses.tv_loss([x, x]))(PHOTO[..., 0])  # np.asarray cannot take tracers
    np.testing.assert_allclose(listed, losses.tv_loss(np.stack([PHOTO[..., 0]] * 2)), rtol=1e-6)
    jitted = jax.jit(lambda x: jaxart.features(tiny_vgg16, x, "relu1_1")["relu1_1"])(PHOTO)
    np.testing.assert_allclose(jitted, jaxart.features(tiny_vgg16, PHOTO, "relu1_1")["relu1_1"], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("odd", ["objects", "ragged"])
def test_save_image_and_the_colour_functions_name_them_too_and_write_nothing(tmp_path, odd):
    """A ragged list was NumPy's ValueError about "an inhomogeneous shape", naming no argument."""
    x, holds = ODD[odd]
    with pytest.raises(InputError, match=f"^save_image's image {holds}.*; {IMAGE}"):
        jaxart.save_image(tmp_path / "out.png", x)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match=f"^rgb_to_yiq's image {holds}.*; {IMAGE}"):
        jaxart.color.rgb_to_yiq(x)
