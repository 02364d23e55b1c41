"""examples/feedforward.py: its style net's loss falls on tiny weights, and bad settings are one line."""

import sys

import numpy as np
import pytest

from conftest import ROOT
from test_sweep import CONFIG


def test_feedforward_example_loss_falls(tiny_vgg16):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import feedforward
    finally:
        sys.path.remove(str(ROOT / "examples"))
    rng = np.random.default_rng(0)
    style = rng.random((16, 16, 3), dtype=np.float32)
    ramp = np.linspace(0, 1, 24, dtype=np.float32)[:, None, None] * np.ones((24, 32, 3), np.float32)
    photos = [np.clip(ramp + 0.1 * rng.standard_normal(ramp.shape), 0, 1).astype(np.float32)]
    _, history = feedforward.train(tiny_vgg16, style, photos, config=CONFIG, steps=20, size=16, batch=2,
                                   learning_rate=1e-2, net=feedforward.StyleNet(widths=(8, 8), blocks=1))
    assert len(history) == 20 and np.isfinite(history).all()
    assert np.mean(history[-5:]) < 0.5 * np.mean(history[:3])


@pytest.mark.parametrize("extra, message", [
    (["--steps", "0"], "--steps must be at least 1"),  # wrote an untrained net's picture
    (["--learning-rate", "nan"], "--learning-rate must be a finite number above 0"),
    (["--size", "8"], "--size must be at least 32"),
])
def test_feedforward_example_refuses_bad_settings_in_one_line(extra, message, tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import feedforward
    finally:
        sys.path.remove(str(ROOT / "examples"))
    with pytest.raises(SystemExit) as e:
        feedforward.main(["style.png", "photo.png", "--output", str(tmp_path / "out.png"), *extra])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.startswith(f"error: {message}") and len(err.splitlines()) == 1, err
    assert not list(tmp_path.iterdir())
    if extra[0] == "--steps":  # and a panorama's crops fit: its short side was under --size (a traceback)
        from PIL import Image

        Image.new("RGB", (400, 60)).save(tmp_path / "wide.png")
        assert min(feedforward._photo(str(tmp_path / "wide.png"), 64).shape[:2]) >= 64
