"""A --size above a small photo's own size warned "use --size 20 or less for full sharpness" for a 20x10
photo, a size the run then refused (relu5_1 needs 16 px on the short side: --size 31 or more)."""

import numpy as np
import pytest
from PIL import Image

from jaxart import notes, photo_size
from jaxart.config import StyleConfig
from jaxart.errors import InputError

from conftest import run_main, write_tiny_job


class Loaded(Exception):
    """Raised where the weights would load: the options passed every check before it."""


def test_the_advice_is_a_size_that_runs():
    small, large = np.zeros((10, 20, 3)), np.zeros((30, 40, 3))
    note = notes.upsampling_note(small, 48)
    assert "use --size 20 or less" not in note, note
    assert note.endswith("too small to run at its own size (layer relu5_1 needs --size 31 or more): "
                         "use a larger photo for full sharpness"), note
    with pytest.raises(InputError, match="use size=31 or more"):  # the size it names is the run's least
        photo_size.check_photo(StyleConfig(size=30), small.shape[:2])
    photo_size.check_photo(StyleConfig(size=31), small.shape[:2])
    assert notes.upsampling_note(large, 48).endswith("use --size 40 or less for full sharpness")
    shallow = StyleConfig(content_layers=("relu2_2",), style_layers=("relu1_1", "relu2_1"))  # needs 2 px
    assert notes.upsampling_note(small, 48, shallow).endswith("use --size 20 or less for full sharpness")
    assert notes.upsampling_note(small, 20) is None


def _warnings(command, tmp_path, monkeypatch, capsys, *options) -> str:
    """stderr of `command` on a 20x10 photo at --size 48, stopped where the weights would load."""
    d, model = write_tiny_job(tmp_path)
    Image.new("RGB", (20, 10), (90, 140, 200)).save(d / "small.png")

    def load(*args):
        raise Loaded

    monkeypatch.setattr("jaxart.model_choice.resolve_model", load)
    argv = [command, str(d / "small.png"), str(d / "paint.png"), "-o", str(tmp_path / "out.png"),
            "--model", model, "--quiet", "--size", "48", "--steps", "1", *options]
    with pytest.raises(Loaded):
        run_main(argv, monkeypatch, capsys)
    return capsys.readouterr().err


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_stylize_and_sweep_advise_no_size_they_refuse(command, tmp_path, monkeypatch, capsys):
    err = _warnings(command, tmp_path, monkeypatch, capsys)
    assert "warning: --size 48 is larger than the photo (20 px on its long side)" in err, err
    assert "--size 20 or less" not in err and "needs --size 31 or more" in err, err


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_shallow_layers_are_advised_the_photo_size(command, tmp_path, monkeypatch, capsys):
    """With layers that need 2 px, the 20x10 photo runs at --size 20: that is the advice."""
    err = _warnings(command, tmp_path, monkeypatch, capsys,
                    "--content-layers", "relu2_2", "--style-layers", "relu1_1,relu2_1")
    assert "use --size 20 or less for full sharpness" in err, err
