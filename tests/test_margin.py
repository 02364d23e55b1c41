"""The free margin around the optimized image (its effect on a real run: test_quality.py), and `pad` / `crop`
given an image of no numbers."""

import numpy as np
import pytest

import jaxart
from jaxart import margin
from jaxart.errors import InputError

PHOTO = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)


def test_pad_mirrors_each_edge_and_crop_undoes_it():
    x = np.arange(4 * 6, dtype=np.float32).reshape(4, 6, 1)
    p = np.asarray(margin.pad(x, 2))
    assert p.shape == (8, 10, 1)
    assert np.array_equal(p[:2, 2:-2], x[2:0:-1]) and np.array_equal(p[-2:, 2:-2], x[-2:-4:-1])  # edge not repeated
    assert np.array_equal(p[2:-2, :2], x[:, 2:0:-1]) and np.array_equal(p[2:-2, -2:], x[:, -2:-4:-1])
    assert np.array_equal(margin.crop(p, x.shape), x)
    assert np.array_equal(margin.pad(x, 0), x)
    # a side shorter than the margin gets what it can mirror; masks use their last two axes
    small = np.zeros((2, 3, 1), np.float32)
    assert margin.pad(small, 8).shape == (4, 7, 1) and margin.crop(margin.pad(small, 8), small.shape).shape == small.shape
    assert margin.pad(np.zeros((5, 4, 6)), 1, axes=(-2, -1)).shape == (5, 6, 8)


@pytest.mark.parametrize("value", [-1, 65, 2.5, True])
def test_margin_must_be_a_small_whole_number(value):
    with pytest.raises(ValueError, match="margin must be a whole number of pixels from 0 to 64"):
        jaxart.StyleConfig(margin=value).validate()


def test_pad_and_crop_under_jit_and_vmap_and_their_misuse_named():
    """A grey (H, W) image failed in pad with 'list index out of range', and crop to a larger
    shape returned a slice of the wrong size (7x4 for 20x20) without an error."""
    import jax

    x = np.arange(2 * 5 * 7 * 3, dtype=np.float32).reshape(2, 5, 7, 3)
    padded = jax.jit(jax.vmap(lambda im: margin.pad(im, 3)))(x)
    assert padded.shape == (2, 11, 13, 3)
    np.testing.assert_array_equal(jax.jit(lambda p: margin.crop(p, x.shape))(padded), x)
    with pytest.raises(ValueError, match=r"^pad needs an \(\.\.\., H, W, C\) image \(or axes=\(-2, -1\) for an "
                                         r"\(R, H, W\) mask\), got shape \(5, 7\)"):
        margin.pad(x[0, ..., 0], 2)
    with pytest.raises(ValueError, match=r"^crop cannot cut \(5, 7, 3\) down to \(20, 20, 3\): .* give the shape "
                                         "of the image before `pad`"):
        margin.crop(x[0], (20, 20, 3))


@pytest.mark.parametrize("axes", [(-3,), (-3, -2, -1)])
def test_pad_and_crop_take_exactly_two_spatial_axes(axes):
    """One axis padded the picture on two sides only; three mirrored the colour channels into new ones."""
    x = np.zeros((5, 7, 3), np.float32)
    for call in (lambda: margin.pad(x, 1, axes), lambda: margin.crop(x, x.shape, axes)):
        with pytest.raises(ValueError, match=r"needs an \(\.\.\., H, W, C\) image .* got shape \(5, 7, 3\) and axes"):
            call()


@pytest.mark.parametrize("shape", [(-1, 4, 3), (0, 4, 3), (3, 2.5, 3)])
def test_crop_to_no_pixels_or_part_of_one_is_refused(shape):
    """-1 and 0 gave an empty image, silently; 2.5 a TypeError about slice indices from inside."""
    with pytest.raises(ValueError, match=r"^crop's shape .* needs whole numbers of pixels >= 1 on its axes"):
        margin.crop(np.zeros((8, 9, 3)), shape)


@pytest.mark.parametrize("shape", [4, None, "8x9"])
def test_crop_given_a_margin_or_no_shape_says_it_takes_the_shape_before_pad(shape):
    """crop(x, 4), the margin where the shape belongs, was "'int' object is not iterable" from inside."""
    with pytest.raises(ValueError, match=rf"^crop's shape must be the shape before `pad`, a tuple such as photo.shape, "
                                         rf"got {shape!r}; crop takes that shape, not the margin$"):
        margin.crop(np.zeros((8, 9, 3)), shape)


@pytest.mark.parametrize("call", [lambda x: margin.pad(x, 2), lambda x: margin.crop(x, (12, 12, 3))], ids=["pad", "crop"])
@pytest.mark.parametrize("odd", ["objects", "ragged", "None"])
def test_margin_names_an_image_of_no_numbers(call, odd):
    x = {"objects": PHOTO.astype(object), "ragged": [[[0.5] * 3] * 16] * 15 + [[[0.5] * 3] * 15], "None": None}[odd]
    with pytest.raises(InputError, match=r"^(pad|crop)'s x (holds|is no array).*; give an \(\.\.\., H, W, C\) image"):
        call(x)
