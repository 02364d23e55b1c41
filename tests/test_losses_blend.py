"""`blend_grams`: the paintings' Grams averaged by the blend's weights, from lists and traced Grams too; a blend that is
negative, zero, not finite or of no numbers, and Grams of no numbers, of no (C, C) shape or not in a dict, refused in
one line naming the painting and layer."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxart import losses
from jaxart.errors import InputError


def test_blend_grams_is_weighted_average():
    a, b = {"g": jnp.ones((2, 2))}, {"g": jnp.zeros((2, 2))}
    np.testing.assert_allclose(losses.blend_grams([a, b], [3, 1])["g"], 0.75 * np.ones((2, 2)))
    with pytest.raises(ValueError, match="non-negative"):
        losses.blend_grams([a, b], [1, -1])


@pytest.mark.parametrize("blend", [[2, -1], [0, 0], [float("nan"), 1], [float("inf"), 1]])
def test_a_blend_that_is_negative_zero_or_not_finite_is_refused(blend):
    """Each gives Grams no painting has (a negative share subtracts a style; a zero or infinite sum
    divides to NaN), so the run would optimize towards nothing, or NaN, without a word."""
    a, b = {"g": jnp.ones((2, 2))}, {"g": jnp.zeros((2, 2))}
    with pytest.raises(ValueError, match=r"must be non-negative weights summing above 0"):
        losses.blend_grams([a, b], blend)


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


@pytest.mark.parametrize("item, got", [(GRAM, r"an array of shape \(3, 3\) and dtype float32"),
                                       (jnp.asarray(GRAM), r"an array of shape \(3, 3\) and dtype float32"),
                                       (None, "None")], ids=["array", "jax", "None"])
def test_a_painting_given_as_no_dict_of_grams_says_what_to_give(item, got):
    """An array was "unhashable type: 'numpy.ndarray'", None "'NoneType' object is not iterable"; then "are a
    ndarray", "are a ArrayImpl" (JAX's private class) and "are a NoneType"."""
    with pytest.raises(TypeError, match=rf"^painting 2's Grams are {got}; give a dict of layer name -> Gram per "):
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
