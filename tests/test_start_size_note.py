"""A --start-size within 1.5x of --size is dropped (README, Coarse to fine), which left a single-scale
run without a word: `--size 384 --start-size 300` ran 384 px alone, its "wrote" line naming no scales."""

import pytest

from jaxart import notes
from jaxart.config import StyleConfig

from conftest import run_main, write_tiny_job


class Loaded(Exception):
    """Raised where the weights would load: the options passed every check before it."""


def test_a_start_size_that_leaves_one_scale_is_warned_about_with_one_that_does_not():
    note = notes.start_size_note(StyleConfig(size=384, start_size=300))
    assert note == ("--start-size 300 is within 1.5x of --size 384, so that scale is dropped and the run has one "
                    "scale, 384 px (no coarse to fine); use --start-size 256 or less for coarse to fine")
    assert "use --start-size 256 or less" in notes.start_size_note(StyleConfig(size=384, start_size=384))
    assert notes.start_size_note(StyleConfig(size=384, start_size=256)) is None  # 256, 384
    assert notes.start_size_note(StyleConfig(size=384, start_size=96)) is None  # 96, 192, 384
    assert notes.start_size_note(StyleConfig(size=384)) is None
    assert notes.start_size_note(StyleConfig(size=384, scales=(384,))) is None  # asked for one scale
    assert "at --size 20 no coarser scale fits: drop --start-size" in notes.start_size_note(
        StyleConfig(size=20, start_size=16))


@pytest.mark.parametrize("command", ["stylize", "sweep"])
@pytest.mark.parametrize("start, warned", [("30", True), ("26", False)])
def test_stylize_and_sweep_warn_before_any_weights_load(command, start, warned, tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path)  # a 40x30 photo

    def load(*args):
        raise Loaded

    monkeypatch.setattr("jaxart.model_choice.resolve_model", load)
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "out.png"),
            "--model", model, "--quiet", "--size", "40", "--start-size", start, "--steps", "1"]
    with pytest.raises(Loaded):
        run_main(argv, monkeypatch, capsys)
    err = capsys.readouterr().err
    expected = ("warning: --start-size 30 is within 1.5x of --size 40, so that scale is dropped and the run has "
                "one scale, 40 px (no coarse to fine); use --start-size 26 or less for coarse to fine")
    assert (expected in err) == warned, err
    assert "--start-size" not in err or warned, err


@pytest.mark.parametrize("every, steps, warned", [("3", "3", True), ("5", "3", True), ("2", "3", False),
                                                  ("2", "1,1", True), ("1", "1,1", False)])
def test_a_save_every_that_writes_no_frame_is_warned_about(every, steps, warned, tmp_path, monkeypatch, capsys):
    """Frames are taken before the last step, whose image is the output: --save-every 3 with 3 steps
    (or 2 over two scales of 1 step) wrote nothing and said nothing."""
    d, model = write_tiny_job(tmp_path)

    def load(*args):
        raise Loaded

    monkeypatch.setattr("jaxart.model_choice.resolve_model", load)
    scales = ["--scales", "32,40"] if "," in steps else []
    argv = ["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "out.png"), "--model", model,
            "--quiet", "--size", "40", *scales, "--steps", steps, "--save-every", every]
    with pytest.raises(Loaded):
        run_main(argv, monkeypatch, capsys)
    err = capsys.readouterr().err
    total = sum(map(int, steps.split(",")))
    expected = (f"warning: --save-every {every} writes no frames in a run of {total} steps (the last step's image is "
                f"the output); give a value below {total} for frames")
    assert (expected in err) == warned, err
    assert "--save-every" not in err or warned, err


@pytest.mark.parametrize("every", [1, 2, 1000])
def test_a_one_step_run_is_not_told_to_save_every_below_1(every):
    """--save-every N with --steps 1 was told to "give a value below 1 for frames": no interval is."""
    note = notes.frames_note(every, 1)
    assert "below 1" not in note
    assert note.endswith("frames need a run of 2 steps or more")
