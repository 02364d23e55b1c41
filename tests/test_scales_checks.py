"""Every scale of a run checked before any weights load, advice that names the option to change
with a value that works when given, and a damaged checkpoint config as one line."""

import re

import numpy as np
import pytest

import jaxart
from jaxart import checkpoint, coarse_to_fine, memory, photo_size, scales
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart.targets import compute_targets

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
    match = _advice(err, r"--scales 64,(\d+) or a smaller last scale \(and --size to match, if given\)")
    side = int(match[2])
    assert code == 2 and match[1] == "30000x22500" and 64 < side < 30000
    assert stylize("--scales", f"64,{side}", "--steps", "1,1")[0] == "loaded"  # the advice works
    assert stylize("--scales", f"64,{side + 1}", "--steps", "1,1")[0] == 2  # and is the largest that does
    assert stylize("--scales", f"64,{side}", "--size", str(side), "--steps", "1,1")[0] == "loaded"


def test_memory_advice_drops_the_scales_above_the_size_that_fits_with_their_steps(stylize):
    code, err = stylize("--scales", "64,20000,30000", "--steps", "1,2,3")
    side = int(_advice(err, r"--scales 64,(\d+) --steps 1,3")[2])
    assert code == 2 and side < 20000
    assert stylize("--scales", f"64,{side}", "--steps", "1,3")[0] == "loaded"


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


def test_the_library_names_the_least_size_for_its_photo_too(tiny_vgg16):
    photo = np.random.default_rng(0).random((30, 40, 3), dtype=np.float32)
    with pytest.raises(InputError, match=r"at --size 8 the photo is 8x6 px, .* use --size 21 or more"):
        jaxart.run(photo, [photo], weights=tiny_vgg16, config=StyleConfig(size=8, steps=1))
    with pytest.raises(ValueError, match="at least 16"):  # no photo known: the settings check stays as it was
        StyleConfig(size=8).validate()


def test_a_painting_below_16_px_at_a_small_scale_is_enlarged_as_readme_says(tiny_vgg16, monkeypatch):
    """--scales 32,64 --style-scale 0.25: 16 px at 64, 8 px at 32, which is taken at 16 px, not refused."""
    seen, targets = [], compute_targets

    def recording(weights, content, styles, *args):
        seen.append([np.shape(s) for s in styles])
        return targets(weights, content, styles, *args)

    monkeypatch.setattr("jaxart.transfer.compute_targets", recording)
    rng = np.random.default_rng(0)
    photo, painting = rng.random((30, 40, 3), np.float32), rng.random((20, 20, 3), np.float32)
    config = StyleConfig(size=64, steps=2, scales=(32, 64), scale_steps=(1, 1), style_scale=0.25)
    outcome = jaxart.run(photo, [painting], weights=tiny_vgg16, config=config)
    assert outcome.steps == 2 and outcome.image.shape == (48, 64, 3)
    assert seen == [[(16, 16, 3)], [(16, 16, 3)]]


def test_the_style_scale_advice_is_one_that_validates():
    with pytest.raises(ValueError) as e:
        StyleConfig(size=48, style_scale=0.1).validate()
    assert str(e.value) == ("style-scale 0.1 makes the painting 5 px at size 48; VGG needs at least 16, so use "
                            "style-scale >= 0.334")  # 0.333 makes it 15.98 px, which is refused
    StyleConfig(size=48, style_scale=0.334).validate()


def test_step_counts_that_overflow_together_are_named_as_given():
    with pytest.raises(ValueError) as e:
        StyleConfig(size=64, scales=(32, 64), steps=4_000_000_000, scale_steps=(2_000_000_000,) * 2).validate()
    assert str(e.value) == "steps 2000000000,2000000000 add up to 4000000000, more than 2147483647"


@pytest.mark.parametrize("field, value", [
    ("content_layers", 5), ("style_layers", ["relu1_1", 3]), ("size", "512"), ("remat", "yes"),
    ("style_scale", True), ("scales", [16.5, 32]), ("mask", 7), ("style_blend", {"a": 1}), ("steps", None),
])
def test_a_config_field_of_the_wrong_type_is_named(field, value):
    with pytest.raises(InputError) as e:
        StyleConfig.from_dict({**StyleConfig().to_dict(), field: value})
    assert str(e.value) == f"field config.{field} has the wrong type; give a config as to_dict writes it"


def test_every_field_of_a_config_reads_back():
    config = StyleConfig(size=64, scales=(32, 64), scale_steps=(2, 3), style_layer_weights=(1.0, 2, 3, 4, 5),
                         style_blend=(1, 0.5), mask="m.png", region_colors=("red", "#0000ff"), remat=True, seed=-3)
    assert StyleConfig.from_json(config.to_json()) == config


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


def test_a_style_scale_that_shrinks_the_painting_to_a_few_cells_is_warned_about():
    """--style-scale 0.3 at --size 160 painted a blocky grid from a 48 px painting, without a word."""
    from jaxart import notes

    painting = np.zeros((300, 400, 3), np.float32)
    note = notes.style_scale_note([painting], StyleConfig(size=160, style_scale=0.3))
    assert note and "at 48 px on its long side" in note and "use --style-scale 0.6 or more, or a larger --size" in note
    assert notes.style_scale_note([painting], StyleConfig(size=160, style_scale=0.6)) is None
    assert notes.style_scale_note([painting], StyleConfig(size=64)) is None  # a small run, not a small scale
    assert "use a larger --size" in notes.style_scale_note([painting], StyleConfig(size=64, style_scale=0.5))
    # the scale as typed, not rounded to six digits by :g (0.333333)
    assert notes.style_scale_note([painting], StyleConfig(size=160, style_scale=0.3333333)).startswith(
        "--style-scale 0.3333333 paints")


def test_a_random_start_with_the_edge_network_is_warned_about():
    """vgg16-hed from noise loses the scene's light and dark layout (README, Weights): say so, once."""
    from jaxart import notes

    hed = jaxart.vgg.Weights(params={}, arch="vgg16", name="vgg16-hed")
    assert "start from the photo" in notes.random_init_note(hed, StyleConfig(init="random"))
    assert notes.random_init_note(hed, StyleConfig()) is None
    assert notes.random_init_note(hed.replace(name="vgg19"), StyleConfig(init="random")) is None


def test_a_photo_too_thin_for_any_practical_size_is_told_to_crop_it(tmp_path):
    """A 3-px-high strip needs a long side of over 100,000 px: crop advice, not only --size."""
    config = StyleConfig(size=64)
    with pytest.raises(InputError, match=r"crop the photo nearer to square \(it is 20000x3 px; use --size \d{6} or more\)"):
        photo_size.check_photo(config, (3, 20000))
    photo_size.check_photo(config, (48, 64))  # an ordinary photo passes


@pytest.mark.parametrize("changes, says", [
    ({"scales": (32, 32, 64), "size": 64}, "must increase"),
    ({"scales": (15, 64), "size": 64}, "each at least 16 and at most 2147483647; 15 is not"),
    ({"scales": (32, 48), "size": 64}, "differs from size 64"),
    ({"start_size": 65, "size": 64}, "start size 65 must be a whole number from 16 to size 64"),
    ({"start_size": 15, "size": 64}, "start size 15"),
    ({"scales": (32, 64), "size": 64, "scale_steps": (0, 5)}, r"steps 0,5: 0 is not a positive integer"),
])
def test_a_schedule_at_its_limits_is_refused(changes, says):
    with pytest.raises(ValueError, match=says):
        scales.check(StyleConfig(**changes))
    scales.check(StyleConfig(scales=(16, 64), size=64, scale_steps=(1, 5)))  # the limits themselves pass
    scales.check(StyleConfig(start_size=64, size=64))
    scales.check(StyleConfig(start_size=16, size=64))


def test_upsampling_a_scale_stays_in_range():
    edge = np.zeros((8, 8, 3), np.float32)
    edge[:, 4:] = 1.0  # bicubic rings past 0 and 1 beside a sharp edge
    up = np.asarray(coarse_to_fine.upsample(edge, (16, 16, 3)))
    assert up.shape == (16, 16, 3) and up.min() >= 0.0 and up.max() <= 1.0


def test_a_checkpoint_resumes_at_the_scale_of_the_image_it_holds():
    config = StyleConfig(size=64, scales=(32, 64), margin=0)
    photo = (48, 64, 3)
    at = lambda *shapes: checkpoint.Checkpoint({}, [np.zeros(s, np.float32) for s in shapes])  # noqa: E731
    assert coarse_to_fine.resumed_scale(config, photo, at((24, 32, 3), (10,))) == 0  # the image is the first leaf
    assert coarse_to_fine.resumed_scale(config, photo, at((48, 64, 3), (10,))) == 1
    for held in (at((40, 64, 3), (10,)), at()):  # of no scale; holding nothing
        with pytest.raises(InputError, match="which is no scale of \\[32, 64\\] for this photo"):
            coarse_to_fine.resumed_scale(config, photo, held)


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
