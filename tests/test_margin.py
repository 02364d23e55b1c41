"""The free margin around the optimized image: no line along the output's border."""

import numpy as np
import pytest

import jaxart
from jaxart import margin

from conftest import shared_image


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


def _edge_steps(image: np.ndarray) -> dict[str, float]:
    """Per edge, the brightness step (0-255) from the outermost row or column to the next."""
    a = np.asarray(image, np.float64).mean(-1) * 255
    return {name: abs(e[0].mean() - e[1].mean()) for name, e in
            (("top", a), ("bottom", a[::-1]), ("left", a.T), ("right", a.T[::-1]))}


def test_no_line_along_the_border_of_a_sky(hed_weights):
    # Without the margin (margin=0) this run draws a dark line along the top of Tubingen's sky: its
    # top row is 18 grey levels darker than the next (BENCHMARKS.md, Border); with it, <= 4.
    photo = jaxart.load_image(shared_image("content/tubingen.jpg"))
    painting = jaxart.load_image(shared_image("style/starry_night.jpg"))
    seen = []
    outcome = jaxart.run(photo, [painting], weights=hed_weights, config=jaxart.StyleConfig(size=128, steps=60),
                         callback=lambda p: seen.append(p.image.shape), every=30)
    assert outcome.image.shape == (96, 128, 3) and set(seen) == {(96, 128, 3)}  # the margin is cut off
    steps = _edge_steps(outcome.image)
    assert max(steps.values()) < 9, steps


@pytest.mark.parametrize("value", [-1, 65, 2.5, True])
def test_margin_must_be_a_small_whole_number(value):
    with pytest.raises(ValueError, match="margin must be a whole number of pixels from 0 to 64"):
        jaxart.StyleConfig(margin=value).validate()
