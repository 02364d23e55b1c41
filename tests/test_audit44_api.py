"""The library API added with `--no-match-luminance` and `--shrink-batch`, as a Python caller meets it: a wrong
value is one InputError naming the argument, a NumPy bool is a bool, and a raw run shares the matched one's
compiled programs (README: `match_luminance` is among the settings one compiled loss serves)."""

import jax
import numpy as np
import pytest

import jaxart
from jaxart import color, sweep

from conftest import TINY

RNG = np.random.default_rng(0)
PHOTO = RNG.random((16, 16, 3), dtype=np.float32)
PAINTING = RNG.random((12, 12, 3), dtype=np.float32)
LUMINANCE = jaxart.StyleConfig(size=16, steps=2, conv="direct", colors="luminance")


@pytest.mark.parametrize("value", ["no", "yes", None, 0, 1])
def test_shrink_batch_takes_a_bool_only(value):
    """A string was truthy: shrink_batch="no" shrank the batch, None and 0 quietly did not."""
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    with pytest.raises(jaxart.InputError, match=rf"shrink_batch must be True or False, got {value!r}") as e:
        sweep.sweep(PHOTO, [PAINTING], w, LUMINANCE, sweep.grid(style_weights=[1.0, 2.0]), shrink_batch=value)
    assert e.value.settings == ("shrink_batch",)


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


@pytest.mark.parametrize("name", ["save_every", "checkpoint_every"])
@pytest.mark.parametrize("value", [-1, True, 2.5, "2", None])
def test_stylize_files_refuses_a_frame_or_checkpoint_interval_that_is_no_step_count(name, value, tmp_path):
    """save_every -1 and True wrote a frame every step (checkpoint_every: a checkpoint, or never); 2.5, "2" and None
    were a TypeError naming nothing."""
    from jaxart import job

    from conftest import write_tiny_job
    d, model = write_tiny_job(tmp_path, "vgg16")
    w = jaxart.load_weights(model, download=False)
    with pytest.raises(jaxart.InputError, match=rf"^{name} must be a whole number of steps, 0 \(never\) or more, got {value!r}$"):
        job.stylize_files(d / "photo.jpg", [d / "paint.png"], d / "out.png", jaxart.StyleConfig(size=24, steps=3), w,
                          **{name: value})
    assert sorted(p.name for p in d.iterdir()) == ["paint.png", "photo.jpg", "tiny.safetensors"]  # nothing written
