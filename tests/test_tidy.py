"""Three small contracts: StyleConfig takes layers as `features` does, a "wrote" line stays one line
whatever the output's name, and the final loss line names everything that was put back."""

import numpy as np
import pytest

import jaxart
from jaxart import progress
from jaxart.config import StyleConfig

from conftest import run_main, stylize_argv, write_tiny_job


def test_config_takes_layers_as_features_does_and_names_the_rest(tiny_vgg16):
    names = np.array(["relu1_1", "relu2_1"])  # a 1-D array of names, as features takes it
    config = StyleConfig(content_layers=np.array(["relu2_2"]), style_layers=names).validate("vgg16")
    assert config.content_layers == ("relu2_2",) and config.style_layers == ("relu1_1", "relu2_1")
    assert all(type(n) is str for n in config.style_layers)  # plain str: hashable, JSON round-trips
    assert StyleConfig.from_json(config.to_json()) == config and hash(config) == hash(config.replace())
    assert set(config.style_layers) <= set(jaxart.features(tiny_vgg16, np.zeros((16, 16, 3), np.float32), names))
    assert StyleConfig(content_layers=(), content_weight=0).content_layers == ()  # none: no content loss, as before
    for field, kind in (("content_layers", "content"), ("style_layers", "style")):
        with pytest.raises(TypeError, match=f"^{kind} layers is a 2-D NumPy array, shape \\(1, 1\\); give the layer names"):
            StyleConfig(**{field: np.array([["relu4_2"]])})  # was "unhashable type: 'numpy.ndarray'" in validate
        with pytest.raises(ValueError, match=f"^{kind} layer b'relu4_2' \\(bytes\\) is not a layer name"):
            StyleConfig(**{field: [b"relu4_2"]})
        with pytest.raises(TypeError, match=f"^{kind} layers is None; .* or \\(\\) to leave that loss out$"):
            StyleConfig(**{field: None})


def test_the_wrote_line_is_one_line_when_the_output_name_holds_a_newline(tmp_path, monkeypatch, capsys):
    files = write_tiny_job(tmp_path, "vgg16")
    out = tmp_path / "two\nlines.png"
    code, said, err = run_main([a for a in stylize_argv(files, out) if a != "--quiet"], monkeypatch, capsys)
    assert code == 0 and out.is_file(), err
    assert said.count("\n") == 1 and said.startswith(f"wrote {tmp_path}/two lines.png (tiny, "), said
    sheet = tmp_path / "a\nsheet.png"
    code, said, err = run_main(["sweep", str(tmp_path / "photo.jpg"), str(tmp_path / "paint.png"), "--output", str(sheet),
                                "--model", files[1], "--size", "24", "--steps", "1"], monkeypatch, capsys)
    assert code == 0 and sheet.is_file(), err
    assert said.count("\n") == 1 and said.startswith(f"wrote {tmp_path}/a sheet.png, {tmp_path}/a sheet.html and 1 image"), said


LOSS = {"total": 1.0, "content": 0.5, "style": 0.04, "tv": 0.01}


@pytest.mark.parametrize("colors, keep, back", [
    ("keep", ("blue",), "the photo's chroma and, in the kept regions, the photo were"),
    ("luminance", ("blue",), "the photo's chroma and, in the kept regions, the photo were"),
    ("style", ("blue",), "the photo was"),
    ("keep", None, "the photo's chroma was"),
])
def test_the_loss_line_names_all_that_was_put_back(colors, keep, back):
    config = StyleConfig(colors=colors, keep_colors=keep)
    line = progress.loss_sum(LOSS, config, {**LOSS, "total": 2.0})
    assert line.endswith(f"; optimized pixels, before {back} put back: total 1"), line
