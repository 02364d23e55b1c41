"""The public API: runnable docs, the config contract, model resolution, numerical failure."""

import dataclasses
import doctest
import inspect
import re
import sys

import jax
import numpy as np
import pytest

import cli
import jaxart
import jaxart.config_checks
import jaxart.transfer
from jaxart import job
from jaxart.weights import store

from conftest import TINY


@pytest.mark.parametrize("module", [jaxart, jaxart.transfer, jaxart.losses], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


ARRAY_FUNCTIONS = ["features", "make_targets", "total_loss", "random_weights", "run", "stylize", "load_image",
                   "save_image", "save_png", "losses.gram", "losses.content_loss", "losses.style_layer_loss",
                   "losses.style_loss", "losses.tv_loss", "losses.blend_grams", "objective.loss_function",
                   "optimize.make_optimizer", "optimize.make_step", "optimize.init_carry", "optimize.minimize"]


@pytest.mark.parametrize("name", ARRAY_FUNCTIONS)
def test_public_array_functions_document_their_arguments_and_what_they_return(name):
    """STYLE.md: Google-style docstrings with shapes on every public function; make_targets,
    random_weights, run, save_image and the losses had a line or a paragraph."""
    module, _, attr = name.rpartition(".")
    # getdoc, not __doc__: Python 3.13 strips a docstring's indentation when compiling, 3.11 and 3.12 keep it.
    doc = inspect.getdoc(getattr(getattr(jaxart, module) if module else jaxart, attr))
    assert "\nArgs:\n" in doc and "\nReturns:\n" in doc


def test_the_host_functions_state_their_numpy_return_which_the_example_shows():
    """STYLE.md says jax.Array out; stylize and run are Python loops returning a host array for files,
    which run's docstring said and stylize's and load_image's did not ("float32 image"): a user assumed
    a jax.Array."""
    for fn in (jaxart.stylize, jaxart.run, jaxart.load_image):
        returns = " ".join(fn.__doc__.split("Returns:")[1].split())
        assert "float32 NumPy" in returns and "[0, 1]" in returns, fn.__name__
    assert "('ndarray', dtype('float32'), (24, 32, 3)" in jaxart.stylize.__doc__  # doctested above

def test_config_json_round_trip_and_validation():
    config = jaxart.StyleConfig(size=64, style_layers=("relu1_1", "relu3_1"), style_layer_weights=(2.0, 1.0))
    assert jaxart.StyleConfig.from_json(config.to_json()) == config
    assert config.layer_weights() == {"relu1_1": 2 / 3, "relu3_1": 1 / 3}
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.size = 3
    with pytest.raises(ValueError, match="unknown config fields \\['colour'\\]"):
        jaxart.StyleConfig.from_dict({"colour": 1})
    with pytest.raises(ValueError, match="style-layer-weights has 2 weights for 5 style layers"):
        jaxart.StyleConfig(style_layer_weights=(1.0, 2.0)).validate()
    with pytest.raises(ValueError, match="'relu5_4' does not exist; VGG16"):
        jaxart.StyleConfig(style_layers=("relu5_4",)).validate("vgg16")
    jaxart.StyleConfig(style_layers=("relu5_4",)).validate("vgg19")


def test_config_limits_are_inclusive_where_documented_and_exclusive_beyond():
    """The ends of each range a setting may take: the largest margin and seed are allowed, one past refused."""
    Config = jaxart.StyleConfig
    Config(margin=64).validate()
    Config(seed=2**63 - 1).validate()
    Config(seed=-2**63).validate()
    for bad, says in [({"margin": 65}, "margin must be"), ({"seed": 2**63}, "seed must be"),
                      ({"learning_rate": 0}, "learning-rate must be a finite number above 0 \\(at most 1e30\\), got 0"),
                      ({"content_layers": (), "style_layers": ()}, "at least one content or style layer")]:
        with pytest.raises(ValueError, match=says):
            Config(**bad).validate()


def test_a_style_only_or_content_only_config_is_valid():
    # Texture synthesis (no content layer) and a content-only reconstruction are both runs a user makes.
    jaxart.StyleConfig(content_layers=(), content_weight=0).validate("vgg16")
    jaxart.StyleConfig(style_layers=(), style_weight=0).validate("vgg16")


def test_a_job_without_a_painting_is_refused_by_name(tmp_path):
    with pytest.raises(jaxart.InputError, match="give at least one style image after the content image"):
        job.load_inputs(tmp_path / "photo.jpg", [])


def _stylize_24px(tmp_path, rng, monkeypatch, capsys, *options):
    """`jaxart stylize -q` with `options` of a random 24 px photo, its flipped copy the painting (not the photo,
    which is warned of), by a tiny VGG16: (exit code, stderr, the output's path, the photo's pixels)."""
    from PIL import Image

    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    model = store.save(w.params, tmp_path / "tiny.safetensors", arch="vgg16", preprocess=w.preprocess, name="t")
    photo = rng.integers(0, 255, (24, 24, 3), np.uint8)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    Image.fromarray(photo[::-1]).save(tmp_path / "paint.png")
    out = tmp_path / "out.png"
    argv = ["stylize", str(tmp_path / "photo.png"), str(tmp_path / "paint.png"), "--model", str(model), "--size",
            "24", *options, "-o", str(out), "-q"]
    monkeypatch.setattr(sys, "argv", ["cli.py", *argv])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    return exit_info.value.code, capsys.readouterr().err.strip(), out, photo


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_overflowing_style_weight_stops_and_keeps_last_finite_image(tmp_path, monkeypatch, capsys, rng):
    """The loss overflowing float32 mid-run. The CLI refuses weights above 1e30 up front, so this
    lifts that limit to reach the late path (a loss that diverges by itself)."""
    from PIL import Image

    monkeypatch.setattr(jaxart.config_checks, "MAX_WEIGHT", float("inf"))
    code, err, out, photo = _stylize_24px(tmp_path, rng, monkeypatch, capsys, "--steps", "5", "--init", "content",
                                          "--style-weight", "1e39")
    assert code == 1 and len(err.splitlines()) == 1
    assert "NaN or inf" in err and "lower --style-weight" in err and str(out) in err
    kept = np.asarray(Image.open(out))
    assert np.array_equal(kept, photo)  # the last finite image is the untouched start
    # The record `jaxart info` shows its user says it in the flags it was run with, not "lower style_weight"
    said = jaxart.read_record(out)["error"]
    assert "the loss became NaN or inf after step" in said and "lower --style-weight" in said and "_" not in said


def _compiles_during(fn):
    compiles = []
    listener = lambda event, secs, **kw: compiles.append(event) if event.endswith("backend_compile_duration") else None
    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        return fn(), compiles
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


def test_a_second_run_with_the_same_settings_compiles_nothing(tiny_vgg16, rng):
    """A sweep, a server or the soak test runs many stylizations in one process: equal settings and
    shapes must reuse the compiled step (memory and time stay flat), not compile it again."""
    config = jaxart.StyleConfig(size=24, steps=3, content_layers=("relu2_1",), style_layers=("relu1_1",))
    photos = [rng.random((24, 18, 3)).astype(np.float32) for _ in range(3)]
    jaxart.run(photos[0], [photos[1]], weights=tiny_vgg16, config=config)
    out, compiles = _compiles_during(lambda: jaxart.run(photos[2], [photos[0]], weights=tiny_vgg16,
                                                        config=config.replace(style_weight=3.0, seed=1)))
    assert out.steps == 3 and compiles == []


def test_winograd_compiles_into_the_step_alone_and_reports_the_same_loss(tiny_vgg16, rng):
    """The targets and the final loss are computed once per run, so they take XLA's convolutions
    whatever `conv` says: compiling Winograd into them cost 7-11 s of a first run at 256-512 px
    (BENCHMARKS.md, "What a run compiles"). A Winograd run after a direct one at the same shapes
    compiles one program, its step, and reports the loss the direct run reports."""
    config = jaxart.StyleConfig(size=24, steps=3, content_layers=("relu2_1",), style_layers=("relu1_1", "relu2_1"),
                                conv="direct")
    photo, painting = (rng.random((24, 18, 3)).astype(np.float32) for _ in range(2))
    direct = jaxart.run(photo, [painting], weights=tiny_vgg16, config=config)
    winograd, compiles = _compiles_during(lambda: jaxart.run(photo, [painting], weights=tiny_vgg16,
                                                             config=config.replace(conv="winograd")))
    assert len(compiles) == 1, compiles
    assert winograd.terms == pytest.approx(direct.terms, rel=1e-4)


def test_a_photo_too_small_for_the_deepest_layer_is_refused_by_name(tiny_vgg16, rng):
    """16 px of a 4:3 photo is 16x12: relu5_1 (after four poolings) would be empty and the loss NaN."""
    photo = rng.random((30, 40, 3)).astype(np.float32)
    with pytest.raises(jaxart.errors.InputError, match="too small for layer relu5_1, which needs at least 16 px"):
        jaxart.run(photo, [photo], weights=tiny_vgg16, config=jaxart.StyleConfig(size=16, steps=1))


@pytest.mark.parametrize("settings, said", [
    (dict(kind="torch"), "Preprocess('torch') takes a mean on the [0, 1] scale, got (103.939, 116.779, 123.68)"),
    (dict(kind="torch", mean=(123.68, 116.779, 103.939), std=(58.4, 57.1, 57.4)), "on the [0, 1] scale"),
    (dict(kind="caffe", mean=(0.406, 0.456, 0.485)), "Preprocess('caffe') takes a mean on the 0..255 scale"),
])
def test_a_preprocess_mean_of_the_other_scale_is_refused_naming_the_right_one(settings, said):
    """`Preprocess("torch")` kept caffe's default 0..255 BGR means and subtracted them from [0, 1] pixels (every
    input about -110, features of nothing), and [0, 1] means under caffe subtracted next to nothing; both ran."""
    with pytest.raises(ValueError, match=re.escape(said)):
        jaxart.Preprocess(**settings)
    for fine in (dict(kind="torch", mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)), dict(mean=(0, 0, 0)),
                 dict(kind="torch", mean=(0, 0, 0))):
        jaxart.Preprocess(**fine)


def test_adam_whose_state_overflowed_is_told_to_lower_a_weight_not_its_learning_rate(tmp_path, rng, monkeypatch,
                                                                                      capsys):
    """A gradient too large to square in float32 overflowed Adam's state: the line said "lower --style-weight or
    --learning-rate", though a learning rate changes nothing there."""
    code, err, out, _ = _stylize_24px(tmp_path, rng, monkeypatch, capsys, "--steps", "3", "--optimizer", "adam",
                                      "--style-weight", "1e30")
    assert code == 1 and len(err.splitlines()) == 1, err
    assert "Adam's state overflowed after step 0" in err and "or --learning-rate" not in err, err
    assert "lower --style-weight (or --content-weight), which --learning-rate does not change" in err, err
    said = jaxart.read_record(out)["error"]
    assert "lower --style-weight (or --content-weight), which --learning-rate does not change" in said, said
