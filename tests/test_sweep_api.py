"""`jaxart.sweep.sweep` given the wrong kind of argument: one TypeError (an InputError naming it for a
`shrink_batch` that is no bool) naming it and the fix, before any work (no AttributeError or Setting's own
TypeError from inside)."""

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
    ("vgg16", CONFIG, None, "weights must be a jaxart.Weights .*got the str 'vgg16'$"),
    (None, {"size": 16}, None, "config must be a jaxart.StyleConfig, got a dict of 'size';"),
    (None, CONFIG, 3, "callback must be a function of \\(step, carry\\), or None, got the int 3$"),
])
def test_a_name_a_dict_or_a_number_in_place_of_weights_config_or_callback_is_one_type_error(
        tiny, weights, config, callback, says):
    with pytest.raises(TypeError, match=says):
        sweep(PHOTO, PHOTO, weights or tiny, config, grid([1.0]), callback=callback)


def _bad(kind: str) -> np.ndarray:
    """A painting with one defect that `jaxart.run` refuses, naming it."""
    nan = PAINTING.copy()
    nan[0, 0] = np.nan
    return {"grey": PAINTING[..., 0], "uint8": (PAINTING * 255).astype(np.uint8), "NaN": nan,
            "objects": PAINTING.astype(object), "1x1": PAINTING[:1, :1]}[kind]


PAINTING = np.random.default_rng(0).random((16, 16, 3), dtype=np.float32)


@pytest.mark.parametrize("kind", ["grey", "uint8", "NaN", "objects", "1x1"])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_a_bad_painting_k_of_n_is_named_as_run_names_it_with_its_index(tiny, k, kind):
    """What `run` says of painting k, with the index a setting's `painting` gives it (from 0)."""
    paintings = [PAINTING, PAINTING[::-1].copy(), PAINTING[:, ::-1].copy()]
    paintings[k - 1] = _bad(kind)
    with pytest.raises(jaxart.InputError) as ran:
        jaxart.run(PHOTO, paintings, weights=tiny, config=CONFIG)
    assert str(ran.value).startswith(f"painting {k} ")
    for settings in (grid([1.0]), grid([1.0], paintings=[0, 1, 2])):
        with pytest.raises(jaxart.InputError) as swept:
            sweep(PHOTO, paintings, tiny, CONFIG, settings)
        assert str(swept.value) == str(ran.value).replace(f"painting {k} ", f"painting {k} (index {k - 1}) ", 1)


def test_a_stack_of_paintings_is_several_as_run_takes_it(tiny):
    """An (N, h, w, 3) stack was one painting: refused as "a batch", or with a NaN in its second painting
    "painting 1 is not one of the 1 paintings given" of a grid over paintings 0..2."""
    paintings = [PAINTING, PAINTING[::-1].copy(), PAINTING[:, ::-1].copy()]
    settings = grid([1.0], paintings=[0, 1, 2])
    listed, stacked = (sweep(PHOTO, p, tiny, CONFIG, settings) for p in (paintings, np.stack(paintings)))
    np.testing.assert_array_equal(stacked.images, listed.images)
    paintings[1] = _bad("NaN")
    with pytest.raises(jaxart.InputError, match=r"^painting 2 \(index 1\) has 3 NaN or infinite values; "):
        sweep(PHOTO, np.stack(paintings), tiny, CONFIG, settings)


@pytest.mark.parametrize("value", ["no", "yes", None, 0, 1])
def test_shrink_batch_takes_a_bool_only(tiny, value):
    """A string was truthy: shrink_batch="no" shrank the batch, None and 0 quietly did not."""
    with pytest.raises(jaxart.InputError, match=rf"shrink_batch must be True or False, got {value!r}") as e:
        sweep(PHOTO, [PAINTING], tiny, CONFIG, grid(style_weights=[1.0, 2.0]), shrink_batch=value)
    assert e.value.settings == ("shrink_batch",)
