"""What a library refusal says it got (jaxart.errors.given): an array by its shape and dtype, None as None, a
value as typed, a container by its length or keys; never a class name alone, such as JAX's private "ArrayImpl"."""

import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import errors, image, losses

GOT = jnp.ones((2, 2))  # a JAX array where something else goes, as a JAX developer passes one
SAID = "an array of shape (2, 2) and dtype float32"


@pytest.mark.parametrize("call, starts", [
    (lambda: jaxart.layer_names(GOT), "arch must be a name, 'vgg16' or 'vgg19', got "),
    (lambda: jaxart.features(GOT, np.ones((8, 8, 3), np.float32), "relu1_1"), "weights must be a jaxart.Weights "),
    (lambda: jaxart.loss_config(GOT), "config must be a jaxart.StyleConfig, got "),
    (lambda: jaxart.StyleConfig.from_dict(GOT), "config is "),
    (lambda: image.resize(GOT, 8), "resize takes a Pillow image, got "),
    (lambda: losses.style_loss(GOT, {"relu1_1": GOT}), "style_loss's features is "),
], ids=["layer_names", "features", "loss_config", "from_dict", "resize", "style_loss"])
def test_a_jax_array_where_none_goes_is_named_by_shape_and_dtype(call, starts):
    """Each said "got ArrayImpl" (or "is a ArrayImpl", "is of type ArrayImpl"): JAX's private class, not what was
    passed."""
    with pytest.raises((TypeError, ValueError)) as e:
        call()
    message = str(e.value)
    assert message.startswith(starts) and SAID in message and "ArrayImpl" not in message, message


@pytest.mark.parametrize("value, words", [
    (None, "None"), (True, "True"), (3, "the int 3"), (np.float64(0.5), "the float64 0.5"),
    ("vgg16", "the str 'vgg16'"), (np.str_("relu1_1"), "the str 'relu1_1'"), (b"relu1_1", "the bytes b'relu1_1'"),
    (np.zeros((4, 5, 3), np.uint8), "an array of shape (4, 5, 3) and dtype uint8"),
    (Image.new("RGB", (6, 4)), "a PIL image (RGB, 6x4)"),
    ([1, 2], "a list of 2 items"), ((1,), "a tuple of 1 item"), ([], "an empty list"),
    ({"relu1_1": 1, "relu2_1": 1}, "a dict of 'relu1_1', 'relu2_1'"),
    (dict.fromkeys("abcd"), "a dict of 'a', 'b', 'c', ..."),
    (jaxart.load_weights, "the function load_weights"), (object(), "an object"),
])
def test_given_says_what_a_value_is(value, words):
    assert errors.given(value) == words
