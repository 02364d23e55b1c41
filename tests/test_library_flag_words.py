"""Library refusals a Python caller meets name what that caller passed (`style_blend`, `region_colors`, `grid`'s
`paintings`, an animation path), not a flag it never typed; the command line's line names its flags, as
`InputError.naming` writes the refusal's settings: one message, not a second copy of the rule."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import animate, sweep
from jaxart.errors import InputError
from jaxart_cli.options import FLAGS

from conftest import TINY, run_main, stylize_argv, write_tiny_job

CONFIG = jaxart.StyleConfig(size=32, steps=1)


@pytest.mark.parametrize("fixed, library, flags", [
    ({"style_blend": (1.0, 2.0)},
     "style_blend weighs the paintings into one style, and each painting its own tiles (grid's paintings) leaves none "
     "to blend; give one or the other",
     "--style-blend weighs the paintings into one style, and each painting its own tiles (--each-painting) leaves "
     "none to blend; give one or the other"),
    ({"mask": "MASK", "region_colors": ("red", "blue")},
     "mask and region_colors paint each region with its own painting, and each painting its own tiles (grid's "
     "paintings) paints the whole photo; give one or the other",
     "--mask and --region-style paint each region with its own painting, and each painting its own tiles "
     "(--each-painting) paints the whole photo; give one or the other"),
])
def test_a_painting_per_setting_with_a_blend_or_regions_is_refused_in_the_callers_words(fixed, library, flags,
                                                                                       tmp_path):
    """`sweep.check` with `grid(paintings=[0, 1])` and a blend or a mask said "(--style-blend)", "(--mask,
    --region-style)" and "(--each-painting)" to a Python caller, who passed none of them."""
    Image.new("RGB", (16, 12), "red").save(tmp_path / "mask.png")
    config = CONFIG.replace(**{k: str(tmp_path / "mask.png") if v == "MASK" else v for k, v in fixed.items()})
    with pytest.raises(InputError) as e:
        sweep.check(config, sweep.grid(paintings=[0, 1]), paintings=2)
    assert str(e.value) == library
    assert e.value.naming(FLAGS) == flags  # the CLI's line: tests/test_sweep_paintings_cli.py runs it


def test_paintings_that_do_not_match_the_region_colours_are_counted_in_the_callers_words(tmp_path):
    """`jaxart.run` with a mask, one region colour and two paintings said "give one --region-style per colour";
    a Python caller gives `region_colors` and the style images (the command line pairs them in --region-style, so
    its line cannot come to this)."""
    Image.new("RGB", (40, 30), "red").save(tmp_path / "m.png")
    config = CONFIG.replace(mask=str(tmp_path / "m.png"), region_colors=("red",))
    weights = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    photo, painting = np.zeros((30, 40, 3), np.float32), np.zeros((20, 20, 3), np.float32)
    with pytest.raises(InputError) as e:
        jaxart.run(photo, [painting, painting], weights=weights, config=config)
    assert str(e.value) == ("2 style images for the 1 colour of region_colors; give one style image per colour, in "
                            "the same order")
    assert "--region-style" in e.value.naming(FLAGS) and "region_colors" not in e.value.naming(FLAGS)


def test_an_animation_of_another_suffix_is_refused_in_the_callers_words(tmp_path, monkeypatch, capsys):
    """`animate.save_animation("run.mp4", ...)` said "choose another --animate name" to a Python caller, who gives
    a path; the command line's line still names --animate, and writes nothing."""
    with pytest.raises(InputError) as e:
        animate.save_animation(tmp_path / "run.mp4", [np.zeros((8, 8, 3), np.uint8)])
    assert str(e.value) == f"animation {tmp_path / 'run.mp4'} must end in .gif or .webp; choose another animation path"
    assert not (tmp_path / "run.mp4").exists()
    files = write_tiny_job(tmp_path)
    code, _, err = run_main(stylize_argv(files, tmp_path / "o.png", "--animate", str(tmp_path / "run.mp4")),
                            monkeypatch, capsys)
    assert (code, err) == (2, f"error: animation {tmp_path / 'run.mp4'} must end in .gif or .webp; choose another "
                              "--animate")
    assert not (tmp_path / "o.png").exists() and not (tmp_path / "run.mp4").exists()


def test_a_mask_colour_no_region_takes_is_offered_in_the_callers_words(tmp_path, monkeypatch, capsys):
    """A mask with a colour no region names told a Python caller "give a --region-style for each such colour, such as
    --region-style '#0000ff'=PAINTING", and one whose colour is not in it "for its #0000ff give --region-style ...":
    flags it never typed. From Python they name `region_colors`; the command line's line, --region-style in the form
    it takes, COLOUR=PAINTING (it said "give --region-style '#0000ff' and its painting")."""
    m = np.zeros((30, 40, 3), np.uint8)
    m[:15], m[15:] = (255, 0, 0), (0, 0, 255)
    Image.fromarray(m).save(tmp_path / "m.png")
    config = CONFIG.replace(mask=str(tmp_path / "m.png"), region_colors=("red",))
    weights = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    photo, painting = np.zeros((30, 40, 3), np.float32), np.zeros((20, 20, 3), np.float32)
    with pytest.raises(InputError) as e:
        jaxart.run(photo, [painting], weights=weights, config=config)
    assert str(e.value).endswith("matches no region colour nor a blend of two (mostly #0000ff (50%)); give each "
                                 "such colour its painting, such as region_colors '#0000ff' and its painting, or "
                                 "paint the mask in the region colours alone"), e.value
    with pytest.raises(InputError) as e:
        jaxart.run(photo, [painting, painting], weights=weights, config=config.replace(region_colors=("red", "lime")))
    assert str(e.value).endswith("(lime is #00ff00); its colours are #0000ff (50%), #ff0000 (50%); for its #0000ff "
                                 "give region_colors '#0000ff' and its painting"), e.value
    files = write_tiny_job(tmp_path)
    d, model = files
    argv = ["stylize", str(d / "photo.jpg"), "--mask", str(tmp_path / "m.png"), "--region-style",
            f"red={d / 'paint.png'}", "-o", str(tmp_path / "o.png"), "--model", model, "--size", "32", "--steps", "1"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.endswith("matches no region colour nor a blend of two (mostly #0000ff (50%)); give each "
                                      "such colour its painting, such as --region-style '#0000ff'=PAINTING, or paint "
                                      "the mask in the region colours alone"), err
    code, _, err = run_main([*argv, "--region-style", f"lime={d / 'paint.png'}"], monkeypatch, capsys)
    assert code == 2 and err.endswith("for its #0000ff give --region-style '#0000ff'=PAINTING"), err
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("fields, library", [
    (dict(keep_colors=("red",)), "every region keeps the photo (keep_colors), so nothing would be painted; give "
                                 "region_colors a colour and its painting"),
    ({}, "mask needs region_colors, a colour for each of its regions, and their paintings"),
])
def test_a_mask_without_a_painted_region_is_refused_in_the_callers_words(fields, library, tmp_path):
    """`StyleConfig(mask=...)` with no `region_colors` said "--mask needs a --region-style COLOUR=PAINTING", and with
    `keep_colors` alone "e.g. --region-style red=starry.jpg" (the command line refuses both before, in its words)."""
    Image.new("RGB", (16, 12), "red").save(tmp_path / "m.png")
    with pytest.raises(InputError) as e:
        CONFIG.replace(mask=str(tmp_path / "m.png"), **fields).validate()
    assert str(e.value) == library
    assert "--region-style" in e.value.naming(FLAGS) and "region_colors" not in e.value.naming(FLAGS)


def test_damaged_animation_frames_are_refused_in_the_callers_words():
    """`animate.Frames.restored` (`resume.frames` of a checkpoint) said "give --animate NAME with --resume" to a Python
    caller; the command line's line is unchanged (tests/test_resume_bad_files.py runs it)."""
    with pytest.raises(InputError) as e:
        animate.Frames.restored(1, [0, 1], [np.zeros((4, 4, 3), np.uint8)])
    assert str(e.value) == ("checkpoint's animation frames are damaged; start the run again, or give animation path "
                            "NAME with resume to write the animation from the resumed step on")
    assert e.value.naming(FLAGS).endswith("or give --animate NAME with --resume to write the animation from the "
                                          "resumed step on")


def test_a_checkpoint_of_another_optimizer_is_refused_in_the_callers_words(tmp_path):
    """`checkpoint.restore` (`jaxart.run(..., resume=ckpt)`) said "made with another --optimizer or --linesearch" to a
    Python caller, who passed StyleConfig's optimizer and linesearch; the command line's --resume names its flags."""
    from jaxart import checkpoint
    from test_checkpoint import _carry

    path = checkpoint.save(tmp_path / "c.ckpt.npz", _carry("lbfgs")[0], {})
    with pytest.raises(InputError) as e:
        checkpoint.restore(_carry("adam")[0], checkpoint.load(path))
    assert str(e.value).endswith("made with another optimizer or linesearch, or by another optax version")
    assert e.value.naming(FLAGS).endswith("made with another --optimizer or --linesearch, or by another optax version")


def test_a_loss_that_became_nan_or_inf_is_told_in_the_callers_words(monkeypatch):
    """`jaxart.run` said "lower --style-weight or --learning-rate" to a Python caller, and the learning rate to L-BFGS
    too, which has none; the command line's line names the flags (tests/test_api.py runs it)."""
    weights = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    photo = np.random.default_rng(0).random((24, 24, 3), dtype=np.float32)
    with pytest.raises(jaxart.NonFiniteLossError) as e:
        jaxart.run(photo, [photo], weights=weights, config=CONFIG.replace(size=24, optimizer="adam", style_weight=1e30))
    assert "; lower style_weight (or content_weight), which learning_rate does not change (the last" in str(e.value)
    assert "lower --style-weight (or --content-weight), which --learning-rate does not change" in e.value.naming(FLAGS)
    monkeypatch.setattr(jaxart.config_checks, "MAX_WEIGHT", float("inf"))  # a loss that overflows float32 itself
    for optimizer, advice in (("lbfgs", "lower style_weight (the last"),
                              ("adam", "lower style_weight or learning_rate")):
        with pytest.raises(jaxart.NonFiniteLossError) as e:
            jaxart.run(photo, [photo], weights=weights,
                       config=CONFIG.replace(size=24, init="content", optimizer=optimizer, style_weight=1e39))
        assert "the loss became NaN or inf after step" in str(e.value) and advice in str(e.value), e.value
        assert "--" not in str(e.value) and advice.replace("style_weight", "--style-weight").replace(
            "learning_rate", "--learning-rate") in e.value.naming(FLAGS)
