"""Sweeping the painting's scale (--style-scale 0.5,1,2): each tile is a run at its own scale, says so in its
record, its label and `info --command`; one scale is the config's, as before it was swept."""

import numpy as np
import pytest

import jaxart
from jaxart import sheet, sweep

from test_sweep import CONFIG, _inputs


@pytest.mark.parametrize("fixed", [{}, {"size": 32, "scales": (16, 32), "steps": 5, "scale_steps": (3, 2),
                                        "colors": "luminance"}], ids=["one-size", "coarse-to-fine-luminance"])
def test_a_tile_of_a_style_scale_sweep_is_a_run_at_its_scale(fixed, tiny_vgg16):
    """The painting's scale was one value for every tile; its Grams have the same shapes at any scale,
    so the settings now carry one each, computed once per scale (and per scale of coarse to fine)."""
    content, style = _inputs()
    config = CONFIG.replace(**fixed)
    grid = sweep.grid(style_weights=[1000.0], style_scales=[1, 2])
    assert [s.style_scale for s in grid] == [1.0, 2.0]
    result = sweep.sweep(content, style, tiny_vgg16, config, grid)
    for i, setting in enumerate(grid):
        alone = jaxart.run(content, [style], weights=tiny_vgg16, config=setting.apply(config))
        np.testing.assert_allclose(result.images[i], alone.image, atol=2e-5)
        np.testing.assert_allclose(result.terms["total"][i], alone.terms["total"], rtol=1e-4)
    assert np.abs(result.images[0] - result.images[1]).mean() > 0.005  # the scale changes the strokes


def test_a_setting_without_a_scale_keeps_the_configs():
    """`Setting(style, content, tv, seed)` as library code builds it still works, and keeps config.style_scale."""
    config = CONFIG.replace(style_scale=2.0)
    assert sweep.Setting(1.0, 1.0, 0.0, 3).apply(config).style_scale == 2.0
    assert sweep.Setting(1.0, 1.0, 0.0, 3, 0.5).apply(config).style_scale == 0.5
    assert all(s.style_scale is None for s in sweep.grid([1.0, 10.0]))
    with pytest.raises(jaxart.InputError, match=r"style_scales must be a list of numbers, e.g. style_scales=\[0.5"):
        sweep.grid(style_scales=2)


def test_the_labels_name_the_swept_scale_and_the_title_a_fixed_one():
    labels, title = sheet.labels(sweep.grid([1.0, 100.0], style_scales=[0.5, 2]))
    assert labels == ["style 1  style scale 0.5", "style 1  style scale 2", "style 100  style scale 0.5",
                      "style 100  style scale 2"]
    assert title == "all tiles: content 1  tv 10  seed 0"
    labels, title = sheet.labels(sweep.grid([1.0, 100.0]))  # the config's scale: named by `held`, as before
    assert labels == ["style 1", "style 100"] and "scale" not in title
