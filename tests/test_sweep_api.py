"""`jaxart.sweep.sweep` given the wrong kind of argument: one TypeError naming it and the fix, before
any work (no AttributeError or Setting's own TypeError from inside)."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import jaxart
from jaxart.sweep import grid, sweep

PHOTO = np.full((16, 16, 3), 0.5, np.float32)
CONFIG = jaxart.StyleConfig(size=16, steps=1, margin=0)


@pytest.fixture(scope="module")
def tiny():
    return jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8, 8, 8))


@pytest.mark.parametrize("settings", [[10.0, 100.0], [(10.0,)], grid, None])
def test_settings_that_are_no_settings_are_refused_with_grid_as_the_fix(tiny, settings):
    with pytest.raises(TypeError, match=r"^settings must be a list of jaxart.sweep.Setting .*jaxart.sweep.grid"):
        sweep(PHOTO, PHOTO, tiny, CONFIG, settings)


@pytest.mark.parametrize("weights, config, callback, says", [
    ("vgg16", CONFIG, None, "weights must be a jaxart.Weights .*got str"),
    (None, {"size": 16}, None, "config must be a jaxart.StyleConfig, got dict"),
    (None, CONFIG, 3, "callback must be a function of \\(step, carry\\), or None, got int"),
])
def test_a_name_a_dict_or_a_number_in_place_of_weights_config_or_callback_is_one_type_error(
        tiny, weights, config, callback, says):
    with pytest.raises(TypeError, match=says):
        sweep(PHOTO, PHOTO, weights or tiny, config, grid([1.0]), callback=callback)
