"""The free margin around the optimized image (its effect on a real run: test_quality.py)."""

import numpy as np
import pytest

import jaxart
from jaxart import margin


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
