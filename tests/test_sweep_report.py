"""What a sweep reports of itself: its closing line."""

import numpy as np
from PIL import Image

from conftest import run_main, write_tiny_job


def test_each_painting_sweep_says_what_it_made(tmp_path, monkeypatch, capsys):
    """With --each-painting the closing line counted "4 settings" for two style weights and two paintings."""
    d, model = write_tiny_job(tmp_path, "vgg16")
    Image.fromarray(np.full((20, 20, 3), (200, 40, 40), np.uint8)).save(d / "red.png")
    out = tmp_path / "g.png"
    code, printed, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), str(d / "red.png"),
                                   "--each-painting", "--style-weight", "1,100", "--model", model, "--size", "24",
                                   "--steps", "2", "-o", str(out)], monkeypatch, capsys)
    assert code == 0, err
    assert "and 4 images (tiny, 2 settings for each of 2 paintings on 1 device, 2 steps, " in printed

