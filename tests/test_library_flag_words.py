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
