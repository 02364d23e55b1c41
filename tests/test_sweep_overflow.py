"""What a sweep says helps a tile whose loss became NaN or inf: lower weights, and the learning rate only where it
could. Every failed tile was told "lower their weights (or --learning-rate with adam)": with L-BFGS, which has no
learning rate, and where Adam's state overflowed (a gradient too large to square in float32), which a learning rate
does not change (`optimizers.overflowed`, as a single run says it)."""

from __future__ import annotations

import jax
import numpy as np

import jaxart
from jaxart import StyleConfig, sheet, sweep

from conftest import TINY, run_main, write_tiny_job

SETTINGS = sweep.grid([1.0, 1e28])
AFTER = "each of those images is its last finite one; lower their weights"
OVERFLOWED = ": Adam's state overflowed there (a gradient too large to square in float32), which --learning-rate does "


def test_the_advice_names_a_learning_rate_only_where_one_could_help(tmp_path):
    said = lambda **kw: sheet.nonfinite(tmp_path / "g.png", SETTINGS, [True, False], **kw)  # noqa: E731
    assert said().endswith(AFTER) and said(optimizer="lbfgs", overflowed=[False, False]).endswith(AFTER)
    assert said(optimizer="adam", overflowed=[False, False]).endswith(f"{AFTER} or --learning-rate")
    assert said(optimizer="adam", overflowed=[False, True]).endswith(f"{AFTER}{OVERFLOWED}not change")


def test_a_failed_tile_whose_adam_state_did_not_overflow_keeps_the_learning_rate_advice(tmp_path):
    """Beside a tile whose Adam state overflowed, another that failed without was told no learning rate, which may
    have kept it finite."""
    three = sweep.grid([1.0, 1e28, 1e29])
    mixed = sheet.nonfinite(tmp_path / "g.png", three, [True, False, False], optimizer="adam",
                            overflowed=[False, False, True])
    assert mixed.endswith(f"{AFTER} or --learning-rate for g-01.png: Adam's state overflowed for g-02.png (a gradient "
                          "too large to square in float32), which --learning-rate does not change"), mixed


def test_a_sweep_tile_whose_adam_state_overflowed_is_told_so(tmp_path, monkeypatch, capsys):
    """`--optimizer adam` with a style weight of 1e28: its tile's gradient squared to inf in Adam's state."""
    d, model = write_tiny_job(tmp_path, "vgg16")
    argv = ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(tmp_path / "g.png"), "--model",
            model, "--size", "24", "--steps", "2", "--style-weight", "1,1e28", "--optimizer", "adam", "--quiet"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 1 and err.startswith("error: the loss became NaN or inf for 1 of 2 settings: g-01.png (style 1e28")
    assert err.endswith(f"{AFTER}{OVERFLOWED}not change"), err
    assert "or --learning-rate" not in err and (tmp_path / "g-01.png").is_file()


def test_the_sweep_result_says_which_tile_overflowed():
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    rng = np.random.default_rng(0)
    photo, paint = rng.random((18, 24, 3), dtype=np.float32), rng.random((12, 12, 3), dtype=np.float32)
    for optimizer in ("adam", "lbfgs"):
        got = sweep.sweep(photo, [paint], w, StyleConfig(size=24, steps=2, optimizer=optimizer), SETTINGS)
        assert got.overflowed.tolist() == [False, optimizer == "adam"], optimizer
