"""The loss a run reports of the image it wrote: where a kept region (--region-style COLOUR=photo) or
--colors keep/luminance put the photo or its chroma back after optimizing, the optimizer's loss of the
pixels before that is not the image's, so both are reported, each labelled, the optimizer's line naming all that
was put back."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import color, inputs, mask_regions, progress, transfer
from jaxart.config import StyleConfig
from jaxart.objective import LossWeights, loss_config, total_loss

from conftest import run_main, write_tiny_job
from test_controls_spatial import _halves

# Compiled, not op by op (eager, its first call took 20 s under load); with `loss_config`, settings that differ
# in loss weights alone (a sweep's tiles) share one program.
_LOSS = jax.jit(total_loss, static_argnums=3)


def _loss_of(weights, photo, painting, config, image):
    """The loss of `image` (no margin), from targets made here as a run makes them."""
    config = config.replace(conv="direct")
    small, content, styles = inputs.prepared_inputs(photo, [painting], config)
    masks = None if config.mask is None else mask_regions.load_masks(config, small.shape, 1)
    targets = transfer.prepared_targets(weights, content, styles, config, masks)
    total, terms = _LOSS(weights, jnp.asarray(image), targets, loss_config(config), LossWeights.of(config))
    return {"total": float(total), **{k: float(v) for k, v in terms.items()}}


@pytest.mark.parametrize("colors, kept", [("style", True), ("keep", False), ("luminance", True)])
def test_the_image_terms_are_the_loss_of_the_image_returned_not_of_the_optimized_pixels(tiny_vgg16, rng, tmp_path,
                                                                                         colors, kept):
    y, x = np.mgrid[0:30, 0:40] / 40.0
    photo = np.stack([0.2 + 0.5 * x, 0.3 + 0.4 * y, 0.6 - 0.3 * x], -1).astype(np.float32)
    painting = rng.random((20, 20, 3), dtype=np.float32)
    config = StyleConfig(size=32, steps=2, optimizer="adam", learning_rate=0.05, margin=0, colors=colors, conv="direct")
    if kept:
        config = config.replace(mask=_halves(tmp_path / "m.png"), region_colors=("red",), keep_colors=("blue",))
    out = jaxart.run(photo, [painting], weights=tiny_vgg16, config=config)
    seen = color.start(out.image, colors)  # grey for luminance, as its targets
    want = _loss_of(tiny_vgg16, photo, painting, config, seen)
    assert out.image_terms == pytest.approx(want, rel=1e-4)
    assert out.terms == pytest.approx(_loss_of(tiny_vgg16, photo, painting, config, out.pixels), rel=1e-4)
    assert out.image_terms["total"] != pytest.approx(out.terms["total"], rel=1e-3)  # the two do differ here


# The settings of the runs above (`StyleConfig` at 32 px): each CLI run below reuses one of their compiled programs.
_AS_ABOVE = ["--size", "32", "--steps", "2", "--optimizer", "adam", "--learning-rate", "0.05", "--margin", "0",
             "--conv", "direct"]


def test_the_record_line_and_info_label_the_image_loss_apart_from_the_optimizers(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path, "vgg16")
    mask = _halves(d / "m.png")
    code, out, err = run_main(["stylize", str(d / "photo.jpg"), "--mask", mask, "--region-style", f"red={d / 'paint.png'}",
                               "--region-style", "blue=photo", "-o", str(d / "out.png"), "--model", model,
                               *_AS_ABOVE], monkeypatch, capsys)
    assert code == 0, err
    record = jaxart.read_record(d / "out.png")
    optimized, written = record["loss"], record["image_loss"]
    assert set(written) == {"total", "content", "style", "tv"} and written["total"] != optimized["total"]
    line = out.strip().splitlines()[-1]
    assert f"image written: total {written['total']:.4g} = content {written['content']:.4g}" in line, line
    assert f"optimized pixels, before the photo was put back: total {optimized['total']:.4g})" in line, line
    code, shown, err = run_main(["info", str(d / "out.png")], monkeypatch, capsys)
    assert code == 0 and json.loads(shown)["image_loss"] == written, err
    code, command, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and err == "" and "image_loss" not in command and "--region-style" in command, err
    # Without anything put back the image is the optimized pixels (`image_terms` is `terms`): one loss, as before.
    code, out, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(d / "plain.png"),
                               "--model", model, *_AS_ABOVE], monkeypatch, capsys)
    plain = jaxart.read_record(d / "plain.png")
    assert code == 0 and "image_loss" not in plain and "image written" not in out, err
    assert f"s; total {plain['loss']['total']:.4g} = " in out.strip().splitlines()[-1]


def test_a_put_back_image_records_its_loss_even_when_it_equals_the_optimizers(tiny_vgg16, tmp_path):
    """--colors luminance writes the optimized grey with the photo's chroma, so the two losses often agree to
    the last digit: "image_loss" was left out of the record then, and a sweep tile's record and the same
    setting stylized had different keys by chance (a flaky test). Its presence follows the settings now."""
    from jaxart import sheet
    from jaxart.run_record import record
    from jaxart.sweep import grid

    image, pixels = np.full((4, 4, 3), 0.5, np.float32), np.full((4, 4, 3), 0.4, np.float32)
    terms = {"total": 1.0, "content": 0.5, "style": 0.05, "tv": 0.0}
    config = StyleConfig(size=4, steps=1, colors="luminance")
    put_back = transfer.Outcome(image, terms, 1, 0.1, pixels, False, dict(terms))
    assert record(config, tiny_vgg16, put_back, {})["image_loss"] == terms
    assert "image_loss" not in record(config, tiny_vgg16, put_back._replace(pixels=image), {})
    same = {k: np.array([v]) for k, v in terms.items()}
    sheet.write(tmp_path / "g.png", image[None], grid(), config, {"loss": same, "image_loss": same})
    assert jaxart.read_record(tmp_path / "g-00.png")["image_loss"] == terms

LOSS = {"total": 1.0, "content": 0.5, "style": 0.04, "tv": 0.01}


@pytest.mark.parametrize("colors, keep, back", [
    ("keep", ("blue",), "the photo's chroma and, in the kept regions, the photo were"),
    ("luminance", ("blue",), "the photo's chroma and, in the kept regions, the photo were"),
    ("style", ("blue",), "the photo was"),
    ("keep", None, "the photo's chroma was"),
])
def test_the_loss_line_names_all_that_was_put_back(colors, keep, back):
    config = StyleConfig(colors=colors, keep_colors=keep)
    line = progress.loss_sum(LOSS, config, {**LOSS, "total": 2.0})
    assert line.endswith(f"; optimized pixels, before {back} put back: total 1"), line


def test_the_loss_line_gives_one_sum_where_the_two_differ_only_past_the_digits_shown():
    # --colors luminance alone: the image's loss is the optimizer's but for float32 rounding in the chroma round
    # trip (0.012772713787853718 against 0.012772712856531143 at 384 px), and the line printed the same sum twice.
    config = StyleConfig(colors="luminance")
    written = {**LOSS, "total": LOSS["total"] * (1 + 3e-8), "style": LOSS["style"] * (1 - 7e-8)}
    assert progress.loss_sum(LOSS, config, written) == "total 1 = content 0.5 + 10 x style 0.04 + 10 x tv 0.01"
    assert progress.loss_sum(LOSS, config, {**LOSS, "style": 0.05}).startswith("image written: total 1 = ")
