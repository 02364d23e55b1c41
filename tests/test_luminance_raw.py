"""--colors luminance --no-match-luminance (field `match_luminance=False`): the painting's style targets are taken
from its own luminance, not one scaled to the photo's mean and deviation (Gatys et al. 2016), so its strokes keep
the painting's contrast; refused with any other mode (naming the flag as typed), recorded, and given back by
`jaxart info --command`. The field takes a bool (a NumPy one too), and a raw run compiles nothing a matched one did not."""

import shlex

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import color, inputs, reproduce
from jaxart.config import StyleConfig
from jaxart.image_record import read_record
from jaxart.objective import loss_config

from conftest import TINY, run_main, stylize_argv, write_tiny_job

RNG = np.random.default_rng(0)
PHOTO = RNG.random((16, 16, 3), dtype=np.float32)
PAINTING = RNG.random((12, 12, 3), dtype=np.float32)
LUMINANCE = jaxart.StyleConfig(size=16, steps=2, conv="direct", colors="luminance")


def _raw(**changes) -> StyleConfig:  # a function, not a constant: on a jaxart without the field each test fails alone
    return StyleConfig(**{"size": 24, "steps": 2, "colors": "luminance", "match_luminance": False, "conv": "direct",
                          **changes})


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("raw"), "vgg16")


def _pair(rng):
    """A lively photo and a low-contrast painting: matching would stretch the painting's Y about 5-fold."""
    photo = rng.random((18, 24, 3)).astype(np.float32)
    painting = (0.55 + 0.1 * rng.random((20, 20, 3))).astype(np.float32)
    return photo, painting


def test_the_paintings_targets_come_from_its_own_luminance(rng):
    photo, painting = _pair(rng)
    sized_photo, (sized,) = inputs.sized_inputs(photo, [painting], _raw())
    y, photo_y = (color.luminance(x.astype(np.float64)) for x in (sized, sized_photo))
    for config, want in ((_raw(), y), (_raw(match_luminance=True), color.match_luminance(y, photo_y))):
        _, seen, (style,) = inputs.prepared_inputs(photo, [painting], config.validate())
        np.testing.assert_allclose(style, color.grey(want), atol=1e-6)
        np.testing.assert_allclose(seen, color.grey(photo_y), atol=1e-6)  # the photo as before
    assert y.std() < 0.05 < 0.15 < photo_y.std()  # so the two are far apart, not equal by chance


def test_a_raw_run_differs_from_a_matched_one_and_shares_its_compiled_loss(tiny_vgg16, rng):
    photo, painting = _pair(rng)
    raw, matched = (jaxart.run(photo, [painting], weights=tiny_vgg16, config=c)
                    for c in (_raw(style_weight=1e4), _raw(style_weight=1e4, match_luminance=True)))
    assert np.abs(np.asarray(raw.image) - np.asarray(matched.image)).max() > 1e-3
    assert loss_config(_raw()) == loss_config(_raw(match_luminance=True))  # only the targets differ


@pytest.mark.parametrize("mode", [m for m in color.MODES if m != "luminance"])
def test_it_is_refused_outside_luminance(mode, files, tmp_path, monkeypatch, capsys):
    with pytest.raises(jaxart.InputError, match="match_luminance=False is for colors luminance only"):
        _raw(colors=mode).validate()
    with pytest.raises(ValueError, match="match_luma"):
        color.prepare(np.zeros((4, 4, 3)), [np.zeros((4, 4, 3))], mode, match_luma=False)
    out = tmp_path / "out.png"
    extra = ["--colors", mode] * (mode != "style")
    code, _, err = run_main(stylize_argv(files, out, *extra, "--no-match-luminance"), monkeypatch, capsys)
    assert code == 2 and "\n" not in err and not out.exists(), err
    assert err.startswith("error: --no-match-luminance is for --colors luminance only"), err
    assert f"--colors {mode} matches" in err, err


def test_it_round_trips_through_the_record_and_info_command(files, tmp_path, monkeypatch, capsys):
    first, second = tmp_path / "a.png", tmp_path / "a-2.png"
    argv = stylize_argv(files, first, "--colors", "luminance", "--no-match-luminance")
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 0, err
    assert read_record(first)["config"]["match_luminance"] is False
    code, out, err = run_main(["info", str(first), "--command"], monkeypatch, capsys)
    assert code == 0 and "--no-match-luminance" in shlex.split(out), out
    code, _, err = run_main([*shlex.split(out)[1:], "-q"], monkeypatch, capsys)
    assert code == 0, err
    assert read_record(second)["config"] == read_record(first)["config"]
    np.testing.assert_array_equal(np.asarray(Image.open(first)), np.asarray(Image.open(second)))
    # A matched run's command names nothing new; a record from before the field is a matched run.
    record = {"config": _raw(match_luminance=True).to_dict(), "inputs": {"content": "p.jpg", "styles": ["s.png"]}}
    assert "--no-match-luminance" not in reproduce.command(record, "x.png")
    del record["config"]["match_luminance"]
    assert reproduce.config_of(record).match_luminance is True


def test_a_sweep_tile_is_the_raw_stylize_run(files, tmp_path, monkeypatch, capsys):
    d, model = files
    args = [str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "24", "--steps", "2", "--quiet",
            "--colors", "luminance", "--no-match-luminance", "--conv", "direct"]
    assert run_main(["sweep", *args, "-o", str(tmp_path / "g.png")], monkeypatch, capsys)[0] == 0
    assert run_main(["stylize", *args, "-o", str(tmp_path / "s.png")], monkeypatch, capsys)[0] == 0
    assert read_record(tmp_path / "g-00.png")["config"] == read_record(tmp_path / "s.png")["config"]
    pixels = [np.asarray(Image.open(tmp_path / n), np.int16) for n in ("g-00.png", "s.png")]
    assert np.abs(pixels[0] - pixels[1]).max() <= 1
    assert "colors luminance, no-match-luminance" in (tmp_path / "g.html").read_text()


@pytest.mark.parametrize("colors", ["style", "keep"])
def test_no_match_luminance_with_another_mode_is_refused_naming_the_flag_typed(colors, files, tmp_path, monkeypatch,
                                                                              capsys):
    """It said "--match-luminance off ..., so leave it on" to a user who typed --no-match-luminance."""
    d, model = files
    argv = ["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(tmp_path / "o.png"),
            "--model", model, "--size", "24", "--steps", "2", "--colors", colors, "--no-match-luminance"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.strip() == (f"error: --no-match-luminance is for --colors luminance only (the painting's "
                                         f"luminance left unscaled); --colors {colors} matches no luminance, so drop "
                                         "--no-match-luminance"), err
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match=r"^match_luminance=False is for colors luminance only .* so drop "
                                         r"match_luminance=False$"):
        StyleConfig(colors=colors, match_luminance=False).validate()


@pytest.mark.parametrize("value", ["no", 0, 1, None])
def test_match_luminance_of_another_type_is_an_input_error_naming_it(value):
    """It was a bare ValueError with no `settings`, unlike every other check of `validate` (README)."""
    with pytest.raises(jaxart.InputError, match=rf"match_luminance must be true or false, got {value!r}") as e:
        LUMINANCE.replace(match_luminance=value).validate()
    assert e.value.settings == ("match_luminance",)
    assert "--match-luminance must be" in e.value.naming({"match_luminance": "--match-luminance"})


def test_prepare_takes_a_numpy_bool_as_the_config_does():
    """StyleConfig(match_luminance=np.False_) is False; prepare(..., match_luma=np.False_) was refused ("give True")."""
    assert LUMINANCE.replace(match_luminance=np.False_).match_luminance is False
    for flag in (False, True):
        got = color.prepare(PHOTO, [PAINTING], "luminance", match_luma=np.bool_(flag))
        want = color.prepare(PHOTO, [PAINTING], "luminance", match_luma=flag)
        np.testing.assert_array_equal(got[1][0], want[1][0])
    assert not np.array_equal(*(color.prepare(PHOTO, [PAINTING], "luminance", match_luma=f)[1][0] for f in (0 < 1, 0 > 1)))


def test_a_raw_luminance_run_compiles_nothing_the_matched_one_did_not():
    """Only the painting's targets differ, so the second run (and a third, matched again) reuse every program."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    compiles = []
    listener = lambda event, secs, **kw: compiles.append(event) if event.endswith("backend_compile_duration") else None  # noqa: E731
    runs = []
    for match in (True, False, True):
        jax.monitoring.register_event_duration_secs_listener(listener)
        try:
            runs.append(jaxart.run(PHOTO, [PAINTING], weights=w, config=LUMINANCE.replace(match_luminance=match)))
        finally:
            jax.monitoring.unregister_event_duration_listener(listener)
        compiles.append(f"run {match}")
    assert compiles.index("run True") > 0 and compiles[compiles.index("run True") + 1:] == ["run False", "run True"]
    np.testing.assert_array_equal(runs[0].image, runs[2].image)
    assert np.abs(np.asarray(runs[0].image) - np.asarray(runs[1].image)).max() > 1e-4  # it did change the run
