"""The CLI end to end on tiny synthetic weights: the image and its run record, frames, upsampling, seeds,
an init image's aspect, and the summary line."""

import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import cli
import jaxart
from jaxart import checkpoint

from conftest import unless_given, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A tiny weights file, a photo, a painting, and a file that is not an image."""
    d = tmp_path_factory.mktemp("cli")
    write_tiny_job(d)
    (d / "notes.jpg").write_text("not an image")
    return d, str(d / "tiny.safetensors")


def _args(files, out, *extra):
    d, model = files
    return ["stylize", str(d / "photo.jpg"), str(d / "paint.png"),
            *unless_given(extra, "--output", str(out), "--model", model, "--size", "32", "--steps", "3"), *extra]


def test_stylize_writes_png_with_run_record(files, tmp_path):
    out = tmp_path / "out.png"
    result = CliRunner().invoke(cli.app, _args(files, out, "--save-every", "2", "--style-weight", "5"))
    assert result.exit_code == 0, result.output
    with Image.open(out) as img:
        assert img.size == (32, 24) and img.mode == "RGB"
    record = jaxart.read_record(out)
    assert record["config"]["style_weight"] == 5.0 and record["config"]["steps"] == 3
    assert record["model"] == "tiny" and len(record["weights_sha256"]) == 64
    assert record["gradient_products"] == "float32"  # the tiny VGG's 8 channels never go to Winograd
    assert set(record["loss"]) == {"total", "content", "style", "tv"} and record["steps"] == 3
    assert jaxart.StyleConfig.from_dict(record["config"]) == jaxart.StyleConfig(
        size=32, steps=3, style_weight=5.0)
    d, _ = files  # which files made it, by content: a later edit of the photo shows
    assert record["input_sha256"] == checkpoint.digests([d / "photo.jpg", d / "paint.png"]), record["input_sha256"]
    assert "schedule" not in record  # one scale
    assert (tmp_path / "out_00002.png").is_file()
    info = CliRunner().invoke(cli.app, ["info", str(out)])
    assert info.exit_code == 0 and json.loads(info.output) == record
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_frames_are_written_at_their_steps_whatever_the_checkpoint_interval(files, tmp_path):
    # An XLA loop (scan) reports every gcd of the two intervals: at every 3rd step alone, frame 2 went missing.
    out = tmp_path / "out.png"
    result = CliRunner().invoke(cli.app, _args(files, out, "--steps", "5", "--save-every", "2", "--checkpoint-every", "3",
                                               "--loop", "scan"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png", "out_00002.png", "out_00004.png"]


def test_size_above_the_photo_upsamples_with_one_warning(files, tmp_path):
    runner = CliRunner()
    big = runner.invoke(cli.app, _args(files, tmp_path / "big.png", "--size", "64"))  # photo is 40x30
    assert big.exit_code == 0, big.output
    warnings = [l for l in big.stderr.splitlines() if l.startswith("warning:")]
    assert len(warnings) == 1 and "--size 64 is larger than the photo (40 px" in warnings[0]
    with Image.open(tmp_path / "big.png") as img:
        assert img.size == (64, 48)
    small = runner.invoke(cli.app, _args(files, tmp_path / "small.png"))
    assert small.exit_code == 0 and "warning" not in small.stderr


def test_same_seed_reproduces_the_same_image(files, tmp_path):
    outs = [tmp_path / f"{i}.png" for i in range(2)]
    for out in outs:
        assert CliRunner().invoke(cli.app, _args(files, out, "--init", "random", "--seed", "7")).exit_code == 0
    a, b = (np.asarray(Image.open(o)) for o in outs)
    assert np.array_equal(a, b)


def test_an_init_image_of_another_aspect_is_stretched_with_one_warning(files, tmp_path, monkeypatch, capsys):
    from conftest import run_main

    d, _ = files
    code, _, err = run_main(_args(files, tmp_path / "out.png", "--init", str(d / "paint.png"), "-q"), monkeypatch, capsys)
    assert code == 0 and err == (f"warning: --init {d / 'paint.png'} is 20x20 and the photo 40x30 (aspect 1.00 vs "
                                 "1.33); it is stretched to the photo's shape: crop it to that aspect to keep its "
                                 "proportions"), err
    code, _, err = run_main(_args(files, tmp_path / "same.png", "--init", str(d / "photo.jpg"), "-q"), monkeypatch, capsys)
    assert code == 0 and err == "", err


def test_the_summary_weighs_each_loss_term_as_the_total_does(files, tmp_path):
    """It printed 'total 0.85, content 0.51, style 0.021, tv 0.013': unweighted terms beside a weighted total,
    which read as content outweighing style 25 to 1 where the weights (1, 10, 10) made it 2.4 to 1."""
    import re

    out = tmp_path / "w.png"
    result = CliRunner().invoke(cli.app, _args(files, out, "--steps", "1", "--style-weight", "100", "--tv-weight", "0.5"))
    assert result.exit_code == 0, result.output
    line = result.stdout.strip().splitlines()[-1]
    assert ", 1 step, " in line, line
    found = re.search(r"total (\S+) = content (\S+) \+ 100 x style (\S+) \+ 0.5 x tv (\S+)\)$", line)
    assert found, line
    total, content, style, tv = map(float, found.groups())
    assert total == pytest.approx(content + 100 * style + 0.5 * tv, rel=2e-3), line
    loss = jaxart.read_record(out)["loss"]  # the figures are the record's
    assert (total, style) == (float(f"{loss['total']:.4g}"), float(f"{loss['style']:.4g}")), (line, loss)
