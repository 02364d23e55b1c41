"""A painting with a flat border (a scan's white mount) is warned of before the run: the border is style to the run
too, and Tübingen with a white-framed starry_night came out with white blocks of straight edges, without a word."""

import numpy as np
import pytest
from PIL import Image

from conftest import run_main, stylize_argv, write_tiny_job
from jaxart.config import StyleConfig
from jaxart.input_notes import flat_border, framed_painting_notes

NOTE = ("warning: painting {name} has a flat border (top 6, bottom 6, left 4, right 4 px of its 28x32: 55% of it), "
        "whose style the run paints too, as flat blocks with straight edges; crop the painting to its picture")


def _framed(picture: np.ndarray, top: int, side: int, colour=255) -> np.ndarray:
    return np.pad(picture, ((top, top), (side, side), (0, 0)), constant_values=colour)


def test_flat_border_measures_each_edge_and_spares_flat_images():
    picture = np.random.default_rng(0).integers(0, 255, (20, 20, 3)).astype(np.float32) / 255
    framed = np.pad(picture, ((3, 1), (0, 5), (0, 0)), constant_values=1.0)
    assert flat_border(framed) == (3, 1, 0, 5)
    assert flat_border(picture) == (0, 0, 0, 0)
    halves = np.concatenate([np.zeros((10, 8, 3)), np.ones((10, 8, 3))])  # two flat colours, no picture inside
    assert flat_border(halves) == flat_border(np.full((6, 6, 3), 0.5)) == (0, 0, 0, 0)
    # a thin line along the edge, a scan's, is under FRAMED of the painting: no word
    large = np.random.default_rng(1).random((100, 100, 3), np.float32)
    assert framed_painting_notes(["a.png"], [np.pad(large, ((1, 1), (1, 1), (0, 0)))], StyleConfig()) == []
    assert framed_painting_notes(["a.png"], [np.pad(large, ((3, 3), (3, 3), (0, 0)))], StyleConfig()) != []
    # nor is a small painting's own pattern 2 px from its edges (dots on black, 36% of a 20 px painting)
    dots = np.zeros((20, 20, 3), np.float32)
    dots[2::5, 2::5] = (0.1, 0.2, 1.0)
    assert flat_border(dots) == (2, 2, 2, 2) and framed_painting_notes(["d.png"], [dots], StyleConfig()) == []
    assert framed_painting_notes(["b.png"], [framed], StyleConfig(style_weight=0.0)) == []


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_framed_painting_is_warned_of(command, tmp_path, monkeypatch, capsys):
    files = write_tiny_job(tmp_path / "job")
    picture = np.random.default_rng(1).integers(0, 255, (20, 20, 3), np.uint8)
    framed = tmp_path / "framed.png"
    Image.fromarray(_framed(picture, 6, 4)).save(framed)
    extra = ["--dry-run", *(["--style-weight", "1,10"] if command == "sweep" else [])]
    argv = [command, *stylize_argv(files, tmp_path / "o.png", *extra)[1:]]
    code, _, err = run_main([*argv[:2], str(framed), *argv[3:]], monkeypatch, capsys)
    # was no word: the white border painted as white blocks
    assert code == 0 and NOTE.format(name=framed) in err.splitlines(), err
    code, _, err = run_main(argv, monkeypatch, capsys)  # the picture alone: no word
    assert code == 0 and "flat border" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["framed.png", "job"]
