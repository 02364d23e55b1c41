"""Sizes and scales in the library, without the CLI: the least size for a photo, a small painting enlarged,
StyleConfig's checks naming a value that works, its fields read back, the scale helpers and the notes on
a style scale or start that will disappoint."""

import numpy as np
import pytest

import jaxart
from jaxart import checkpoint, coarse_to_fine, photo_size, scales
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart.targets import compute_targets


def test_the_library_names_the_least_size_for_its_photo_too(tiny_vgg16):
    """In its own argument's words (it said "use --size 21", the command line's flag, to a Python caller), which the
    command line names as its flags (tests/test_scales_checks.py)."""
    photo = np.random.default_rng(0).random((30, 40, 3), dtype=np.float32)
    with pytest.raises(InputError, match=r"^at size 8 the photo is 8x6 px, .* use size=21 or more, or shallower"):
        jaxart.run(photo, [photo], weights=tiny_vgg16, config=StyleConfig(size=8, steps=1))
    with pytest.raises(InputError, match=r"^at start_size 8 the photo is 8x6 px, .* use start_size=21 or more"):
        photo_size.check_photo(StyleConfig(size=64, start_size=8), (30, 40))
    with pytest.raises(InputError, match=r"^at scales 8 the photo is 8x6 px, .* give scales values of 21 or more"):
        photo_size.check_photo(StyleConfig(size=64, scales=(8, 64), steps=(1, 1)), (30, 40))
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
    with pytest.raises(InputError, match=r"crop the photo nearer to square \(it is 20000x3 px; use size=\d{6} or more\)"):
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
