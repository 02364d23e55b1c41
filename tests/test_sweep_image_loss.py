"""A sweep's tiles record the loss of the image written beside the optimizer's, as a stylize run does
(test_kept_loss.py): where --colors keep/luminance or a kept region put the photo or its chroma back,
each tile's `image_loss` is that image's loss under its own setting, taken in one batched evaluation."""

import numpy as np
import pytest

import jaxart
from jaxart import color
from jaxart.config import StyleConfig
from jaxart.sweep import grid, sweep

from conftest import run_main, write_tiny_job
from test_controls_spatial import _halves
from test_kept_loss import _loss_of


def _photo():
    y, x = np.mgrid[0:30, 0:40] / 40.0
    return np.stack([0.2 + 0.5 * x, 0.3 + 0.4 * y, 0.6 - 0.3 * x], -1).astype(np.float32)


def test_each_tiles_image_terms_are_the_loss_of_its_image_under_its_setting(tiny_vgg16, rng, tmp_path):
    """--colors luminance (grey, as its targets) and a kept region at once: both put pixels back."""
    photo, painting, colors = _photo(), rng.random((20, 20, 3), dtype=np.float32), "luminance"
    config = StyleConfig(size=32, steps=2, optimizer="adam", learning_rate=0.05, margin=0, colors=colors, conv="direct",
                         mask=_halves(tmp_path / "m.png"), region_colors=("red",), keep_colors=("blue",))
    settings = grid(style_weights=(1.0, 100.0))
    result = sweep(photo, painting, tiny_vgg16, config, settings)
    assert result.image_terms is not None
    for i, setting in enumerate(settings):
        want = _loss_of(tiny_vgg16, photo, painting, setting.apply(config), color.start(result.images[i], colors))
        got = {k: float(v[i]) for k, v in result.image_terms.items()}
        assert got == pytest.approx(want, rel=1e-3)
        assert got["total"] != pytest.approx(float(result.terms["total"][i]), rel=1e-3)  # not the optimizer's


def test_a_sweep_that_puts_nothing_back_has_no_image_terms(tiny_vgg16, rng):
    config = StyleConfig(size=32, steps=2, optimizer="adam", margin=0, conv="direct")  # as the CLI's sweep below
    result = sweep(_photo(), rng.random((20, 20, 3), dtype=np.float32), tiny_vgg16, config, grid((1.0, 10.0)))
    assert result.image_terms is None


def test_each_tiles_record_has_image_loss_with_colors_keep(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path, "vgg16")
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(d / "keep.png"),
                             "--model", model, "--size", "32", "--steps", "2", "--style-weight", "1,100",
                             "--colors", "keep", "--quiet", "--optimizer", "adam", "--margin", "0", "--conv", "direct"],
                            monkeypatch, capsys)  # the sweep above's step program
    assert code == 0, err
    for tile in ("keep-00.png", "keep-01.png"):
        record = jaxart.read_record(d / tile)
        assert set(record["image_loss"]) == {"total", "content", "style", "tv"}, record
        assert record["image_loss"]["total"] != record["loss"]["total"]
    assert "image_loss" not in jaxart.read_record(d / "keep.png")  # the sheet's record holds no tile's loss
