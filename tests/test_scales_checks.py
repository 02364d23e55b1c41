"""Every scale of a `stylize` run checked before any weights load, advice that names the option to change
with a value that works when given, and a damaged checkpoint config as one line. The library's side of
these limits is in test_scales_library.py."""

import re

import numpy as np
import pytest

import jaxart
from jaxart import checkpoint, memory, photo_size
from jaxart.config import StyleConfig
from jaxart.errors import InputError

from conftest import run_main, write_tiny_job

FREE = 4 * 2**30  # what the memory check is told is free


class Loaded(Exception):
    """Raised where the weights would load: the options passed every check before it."""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("scales"))  # a 40x30 photo, a 20x20 painting, tiny VGG19


@pytest.fixture
def stylize(files, tmp_path, monkeypatch, capsys):
    """`stylize PHOTO PAINTING *extra` with FREE bytes free: (exit code, stderr), the code "loaded"
    where it got as far as loading the weights; nothing may be written either way."""
    def load(*args):
        raise Loaded

    monkeypatch.setattr(memory, "available_bytes", lambda: FREE)
    monkeypatch.setattr(memory, "held_bytes", lambda files: 0)  # the advice's sizes, as if nothing were held
    monkeypatch.setattr("jaxart.model_choice.resolve_model", load)
    d, model = files

    def run(*extra):
        argv = ["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "out.png"),
                "--model", model, "--quiet", *extra]
        try:
            code, _, err = run_main(argv, monkeypatch, capsys)
        except Loaded:
            code, err = "loaded", capsys.readouterr().err.strip()
        assert not list(tmp_path.iterdir())
        return code, err

    return run


def _advice(err: str, pattern: str) -> re.Match:
    match = re.fullmatch(r"error: a (\d+x\d+) px run needs about \S+ GiB but only 4\.0 GiB is free; use " + pattern,
                         err)
    assert match, err
    return match


def test_memory_advice_with_scales_names_the_last_scale(stylize):
    code, err = stylize("--scales", "64,30000", "--steps", "1,1")
    match = _advice(err, r"--scales 64,(\d+) --size \2 or a smaller last scale \(and --size to match\)")
    side = int(match[2])
    assert code == 2 and match[1] == "30000x22500" and 64 < side < 30000
    assert stylize("--scales", f"64,{side}", "--steps", "1,1")[0] == "loaded"  # the advice works
    assert stylize("--scales", f"64,{side + 1}", "--steps", "1,1")[0] == 2  # and is the largest that does
    assert stylize("--scales", f"64,{side}", "--size", str(side), "--steps", "1,1")[0] == "loaded"


def test_memory_advice_drops_the_scales_above_the_size_that_fits_with_their_steps(stylize):
    code, err = stylize("--scales", "64,20000,30000", "--steps", "1,2,3")
    side = int(_advice(err, r"--scales 64,(\d+) --size \2 --steps 1,3")[2])
    assert code == 2 and side < 20000
    assert stylize("--scales", f"64,{side}", "--size", str(side), "--steps", "1,3")[0] == "loaded"
    # --size given too: the same advice, which names it (it named none, so a run with --size 30000 was refused again)
    assert stylize("--scales", "64,20000,30000", "--size", "30000", "--steps", "1,2,3") == (code, err)


def test_memory_advice_with_start_size_keeps_one_step_count_per_scale(stylize):
    code, err = stylize("--start-size", "64", "--size", "30000", "--steps", ",".join(map(str, range(1, 11))))
    match = _advice(err, r"--size (\d+) --steps ([\d,]+)")
    assert code == 2, err
    assert stylize("--start-size", "64", "--size", match[2], "--steps", match[3])[0] == "loaded"


def test_memory_advice_names_lbfgs_memory_and_size_where_neither_alone_fits(stylize):
    code, err = stylize("--size", "6000", "--lbfgs-memory", "10000000")
    side = int(_advice(err, r"--lbfgs-memory 10 and --size (\d+) or smaller")[2])
    assert code == 2 and 16 < side < 6000
    assert stylize("--size", str(side), "--lbfgs-memory", "10")[0] == "loaded"
    assert stylize("--size", str(side + 1), "--lbfgs-memory", "10")[0] == 2
    assert stylize("--size", str(side))[0] == "loaded"  # the default --lbfgs-memory is 10


@pytest.mark.parametrize("given, at, fix, fixed", [
    (["--scales", "16,64", "--steps", "1,1"], "--scales 16", "give --scales values of 21 or more",
     ["--scales", "21,64", "--steps", "1,1"]),
    (["--start-size", "16", "--size", "64"], "--start-size 16", "use --start-size 21 or more",
     ["--start-size", "21", "--size", "64"]),
    (["--size", "16"], "--size 16", "use --size 21 or more", ["--size", "21"]),
], ids=["scales", "start-size", "size"])
def test_a_first_scale_too_small_for_the_deepest_layer_is_refused_before_weights_load(stylize, given, at, fix, fixed):
    """The 40x30 photo at 16 px is 16x12: relu5_1, after four poolings, would be empty."""
    code, err = stylize(*given)
    assert code == 2 and err == (f"error: at {at} the photo is 16x12 px, too small for layer relu5_1, which needs at "
                                 f"least 16 px on the short side; {fix}, or shallower layers"), err
    assert stylize(*fixed)[0] == "loaded"


@pytest.mark.parametrize("given, at, option, at_value", [
    (["--scales", "8,64", "--steps", "1,1"], "--scales 8", "give --scales values of",
     lambda n: StyleConfig(size=64, scales=(n, 64), scale_steps=(1, 1))),
    (["--start-size", "8", "--size", "64"], "--start-size 8", "use --start-size",
     lambda n: StyleConfig(size=64, start_size=n)),
    (["--size", "8"], "--size 8", "use --size", lambda n: StyleConfig(size=n)),
], ids=["scales", "start-size", "size"])
def test_a_size_below_16_is_refused_with_the_least_that_works_for_the_photo(stylize, given, at, option, at_value):
    """README: a size too small for VGG is refused with the least value that works; the settings
    check alone said "at least 16", which the 40x30 photo fails too (16x12 px)."""
    code, err = stylize(*given)
    match = re.fullmatch(rf"error: at {at} the photo is 8x6 px, too small for layer relu5_1, which needs at least 16 "
                         rf"px on the short side; {option} (\d+) or more, or shallower layers", err)
    assert code == 2 and match, err
    least = int(match[1])
    photo_size.check_photo(at_value(least).validate(), (30, 40))  # the value it names works
    with pytest.raises(InputError):  # and is the least that does
        photo_size.check_photo(at_value(least - 1).validate(), (30, 40))


def test_resuming_a_checkpoint_with_a_damaged_config_is_one_line(files, tmp_path, monkeypatch, capsys):
    d, model = files
    meta = {"jaxart": jaxart.__version__, "weights_sha256": "0", "model": model, "config": {"content_layers": 5},
            "output": str(tmp_path / "o.png"), "format": "png", "step": 1,
            "inputs": {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")]}}
    path = checkpoint.save(tmp_path / "c.ckpt.npz", {"x": np.zeros(2)}, meta)
    monkeypatch.setattr("jaxart.model_choice.resolve_model", lambda *a: pytest.fail("weights loaded"))
    code, _, err = run_main(["stylize", "--resume", str(path)], monkeypatch, capsys)
    assert code == 2 and err == ("error: checkpoint field config.content_layers has the wrong type; it was edited or "
                                 "damaged, so start the run again"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.ckpt.npz"]


@pytest.mark.parametrize("command", ["stylize", "sweep"])
@pytest.mark.parametrize("given", ["24,99999999999", "24,8"])
def test_a_bad_last_scale_without_size_is_refused_as_a_scale_not_as_size(command, given, files, tmp_path, monkeypatch,
                                                                         capsys):
    """Without --size the size is the last scale: the refusal said "size must be a positive integer up to ..."
    (or "size 8 is too small") of an option the user never gave."""
    d, model = files
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "out.png"), "--model", model,
            "--scales", given]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err == (f"error: --scales {given} must be whole numbers of pixels, each at "
                                 f"least 16 and at most 2147483647; {given.split(',')[-1]} is not"), err
    assert not list(tmp_path.iterdir())
