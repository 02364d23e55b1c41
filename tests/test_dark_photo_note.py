"""A very dark photo is warned of before a run in the painting's light: its features are faint beside the painting's,
and Tübingen darkened to a mean luminance of 0.13 or 0.05 came out nearly as bright as The Starry Night, the town
barely seen, without a word; --colors luminance kept the night and the town."""

import tracemalloc

import numpy as np
import pytest
from PIL import Image

from conftest import run_main, stylize_argv, write_tiny_job
from jaxart.config import StyleConfig
from jaxart.input_notes import dark_photo_note

NOTE = ("warning: the photo is very dark (mean luminance 0.05 of 1): its features are faint beside the painting's, so "
        "--colors {mode} paints it in the painting's light and its scene is barely seen; --colors luminance keeps it "
        "dark and its scene, or brighten the photo first")


def test_a_dark_photo_is_named_only_where_the_run_takes_the_paintings_light():
    dark = np.full((6, 8, 3), 0.05, np.float32)
    assert dark_photo_note(dark, StyleConfig()) == NOTE.format(mode="style").removeprefix("warning: ")
    assert dark_photo_note(dark, StyleConfig(colors="keep")) == NOTE.format(mode="keep").removeprefix("warning: ")
    for config in (StyleConfig(colors="luminance"), StyleConfig(colors="match-pca"), StyleConfig(style_weight=0.0)):
        assert dark_photo_note(dark, config) is None
    assert dark_photo_note(np.full((6, 8, 3), 0.16, np.float32), StyleConfig()) is None


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_dark_photo_is_warned_of(command, tmp_path, monkeypatch, capsys):
    files = write_tiny_job(tmp_path / "job")
    photo = tmp_path / "night.png"
    Image.fromarray(np.full((30, 40, 3), 13, np.uint8)).save(photo)  # 13 of 255: 0.05
    extra = ["--dry-run", *(["--style-weight", "1,10"] if command == "sweep" else [])]
    argv = [command, *stylize_argv(files, tmp_path / "o.png", *extra)[1:]]
    code, _, err = run_main([argv[0], str(photo), *argv[2:]], monkeypatch, capsys)
    # was no word: the scene was painted over in the painting's light
    assert code == 0 and NOTE.format(mode="style") in err.splitlines(), err
    code, _, err = run_main([argv[0], str(photo), *argv[2:], "--colors", "luminance"], monkeypatch, capsys)
    assert code == 0 and "very dark" not in err, err
    code, _, err = run_main(argv, monkeypatch, capsys)  # the tiny job's own photo, of mean 0.5: no word
    assert code == 0 and "very dark" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job", "night.png"]


def test_reading_a_photos_light_holds_no_more_than_a_band_of_it_beside_it():
    # A float64 copy of a 108-megapixel photo (2.6 GiB) made the check the run's peak, 4.6 GiB where decoding took 1.9.
    photo = np.full((500, 600, 3), 0.5, np.float32)
    tracemalloc.start()
    try:
        assert dark_photo_note(photo, StyleConfig()) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= photo.nbytes / 2, peak
