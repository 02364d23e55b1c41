"""Coarse to fine and mask regions: the settings checked before any work, runs on the real VGG16 and a tiny one,
resuming at any scale, and the CLI's checks and records of them. The layer, pooling and init options are in
test_controls_layers.py."""

import jax
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import cli
import jaxart
from jaxart import coarse_to_fine, objective, scales
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart.targets import make_targets

from conftest import shared_image

SIZE = 48  # every real-image run here is 48 px (36 x 48 for tubingen), so shapes repeat


# --- configuration: checked before any work -------------------------------------------------

@pytest.mark.parametrize("changes, message", [
    ({"scales": (256, 128), "size": 128}, "must increase"),
    ({"scales": (128, 256), "size": 512}, "last scale 256 differs from size 512"),
    ({"scales": (8, 64), "size": 64}, "at least 16"),
    ({"scales": (128, 256), "start_size": 128, "size": 256}, "not both"),
    ({"scales": (128, 256), "size": 256, "scale_steps": (5, 5, 5)}, "3 step counts for 2 scales"),
    ({"scale_steps": (5, 5)}, "need scales or start size"),
    ({"start_size": 1024}, "start size 1024"),
    ({"region_colors": ("red",)}, "need mask"),
    ({"mask": "/nonexistent/mask.png", "region_colors": ("red",)}, "mask '/nonexistent/mask.png' does not exist"),
    ({"mask": __file__, "region_colors": ("red", "blue"), "style_blend": (1.0, 1.0)}, "each region has one style"),
])
def test_bad_scales_and_regions_are_named(changes, message):
    with pytest.raises(ValueError, match=message):
        StyleConfig(**changes).validate()


def test_schedule_doubles_from_start_size_and_spreads_steps():
    assert scales.schedule(StyleConfig(size=1024, start_size=256, steps=7)) == ((256, 7), (512, 7), (1024, 7))
    assert scales.sizes(StyleConfig(size=600, start_size=256)) == (256, 600)  # 512 is too close to 600
    assert scales.sizes(StyleConfig(size=512)) == (512,)
    config = StyleConfig(size=512, scales=(128, 512), scale_steps=(30, 10))
    assert scales.schedule(config) == ((128, 30), (512, 10)) and scales.total_steps(config) == 40


def _halves(path, size=(40, 30), colors=((255, 0, 0), (0, 0, 255)), stray=None):
    a = np.zeros((size[1], size[0], 3), np.uint8)
    a[:, : size[0] // 2], a[:, size[0] // 2:] = colors
    if stray is not None:
        a[: size[1] // 3] = stray
    Image.fromarray(a).save(path)
    return str(path)


# --- the CLI refuses bad controls before any weights load, leaving no output ---------------

@pytest.mark.parametrize("extra, message", [
    (["--scales", "64,32"], "must increase"),
    (["--steps", "5,5"], "need scales or start size"),  # the library's words: CliRunner skips jaxart_cli.errors' flag names
    (["--scales", "24,48", "--steps", "1,2,3"], "3 step counts for 2 scales"),
    (["--mask", "MASK", "--region-style", "red"], "not COLOUR=PAINTING"),
    (["--mask", "MASK", "--region-style", "green=PAINT"], "colour 'green' is not in"),
])
def test_cli_rejects_bad_controls_without_output(tmp_path, extra, message):
    photo = tmp_path / "photo.png"
    Image.new("RGB", (40, 30), (90, 120, 150)).save(photo)
    Image.new("RGB", (20, 20), (200, 50, 50)).save(tmp_path / "paint.png")
    mask = _halves(tmp_path / "mask.png")
    extra = [e.replace("MASK", mask).replace("PAINT", str(tmp_path / "paint.png")) for e in extra]
    styles = [] if "--mask" in extra else [str(tmp_path / "paint.png")]
    out = tmp_path / "out.png"
    args = ["stylize", str(photo), *styles, "--output", str(out), "--model", "no-such-model", *extra]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code != 0 and message in str(result.exception) + result.output
    assert not out.exists()


# --- coarse to fine on the real VGG16 ----------------------------------------------------------

def _real(name):
    return jaxart.load_image(shared_image(name))


def _at(image, size=SIZE):
    return jaxart.image.resized(image, size)


def test_coarse_to_fine_ends_at_size_and_lowers_the_final_scale_loss(hed_weights):
    photo, painting = _real("content/tubingen.jpg"), _real("style/starry_night.jpg")
    config = StyleConfig(size=SIZE, scales=(24, SIZE), scale_steps=(8, 8))
    seen = []
    out = jaxart.run(photo, [painting], weights=hed_weights, config=config,
                     callback=lambda p: seen.append((p.step, p.steps, np.asarray(p.image))))
    assert out.image.shape == (36, 48, 3) and out.steps == 16
    assert [s for s, _, _ in seen] == list(range(1, 17)) and {t for _, t, _ in seen} == {16}
    assert seen[7][2].shape == (18, 24, 3) and seen[8][2].shape == (36, 48, 3)
    fine = scales.stage_config(config, SIZE, 8)  # the loss the last scale minimizes
    targets = make_targets(hed_weights, _at(photo), [_at(painting)], fine)
    total = jax.jit(lambda x: objective.total_loss(hed_weights, x, targets, fine, objective.LossWeights.of(fine))[0])
    loss = lambda x: float(total(x))
    upsampled = coarse_to_fine.upsample(seen[7][2], (36, 48, 3))  # where the last scale started
    final, start, photo_loss = loss(out.image), loss(upsampled), loss(_at(photo))
    assert final < start and final < photo_loss, (final, start, photo_loss)


def test_coarse_to_fine_resumes_at_any_scale_to_the_same_pixels(tiny_vgg16, rng, tmp_path):
    from jaxart import checkpoint

    photo, painting = rng.random((30, 40, 3), dtype=np.float32), rng.random((20, 20, 3), dtype=np.float32)
    config = StyleConfig(size=48, scales=(24, 48), scale_steps=(3, 3))
    saved = {}

    def keep(p):
        if p.step in (2, 4):
            saved[p.step] = checkpoint.save(tmp_path / f"{p.step}.npz", p.carry, {"step": p.step})

    whole = jaxart.run(photo, [painting], weights=tiny_vgg16, config=config, callback=keep).image
    for step in (2, 4):  # inside the coarse scale, inside the fine one
        ckpt = checkpoint.load(saved[step])
        again = jaxart.run(photo, [painting], weights=tiny_vgg16, config=config, resume=ckpt)
        np.testing.assert_array_equal(again.image, whole)
        assert again.steps == 6


def test_resuming_with_another_config_than_the_checkpoints_names_what_it_holds(tiny_vgg16, rng):
    """The API user is told, in the words `stylize --resume` uses, what the checkpoint holds and what to do."""
    from jaxart import checkpoint

    photo, painting = rng.random((30, 40, 3), dtype=np.float32), rng.random((20, 20, 3), dtype=np.float32)
    config = StyleConfig(size=48, scales=(24, 48), scale_steps=(3, 3))
    held = checkpoint.Checkpoint({"step": 2}, [np.zeros((40, 48, 3), np.float32)])  # of 32 px: no scale of config
    with pytest.raises(InputError) as e:
        jaxart.run(photo, [painting], weights=tiny_vgg16, config=config, resume=held)
    assert str(e.value) == ("checkpoint holds a 48x40 image (margin included), which is no scale of [24, 48] for "
                            "this photo; it was made with another config, or edited or damaged: resume it with the "
                            "config it was made with, or start the run again")


def test_cli_runs_coarse_to_fine_and_regions_and_records_them(tmp_path):
    from jaxart.weights import store

    from conftest import TINY

    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    model = store.save(w.params, tmp_path / "tiny.safetensors", arch="vgg16", preprocess=w.preprocess, name="tiny")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (30, 40, 3), np.uint8)).save(tmp_path / "photo.png")
    for name in ("a", "b"):
        Image.fromarray(rng.integers(0, 255, (20, 20, 3), np.uint8)).save(tmp_path / f"{name}.png")
    mask = _halves(tmp_path / "mask.png")
    out = tmp_path / "out.png"
    args = ["stylize", str(tmp_path / "photo.png"), "--output", str(out), "--model", str(model), "--quiet",
            "--scales", "24,32", "--steps", "2,3", "--mask", mask,
            "--region-style", f"red={tmp_path / 'a.png'}", "--region-style", f"#0000ff={tmp_path / 'b.png'}"]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    with Image.open(out) as img:
        assert img.size == (32, 24)  # --size defaults to the last scale
    record = jaxart.read_record(out)
    assert record["steps"] == 5 and record["config"]["scales"] == [24, 32]
    assert record["schedule"] == [[24, 2], [32, 3]]  # the sizes and steps run, also for --start-size
    assert record["config"]["scale_steps"] == [2, 3] and record["config"]["region_colors"] == ["red", "#0000ff"]
    assert record["inputs"]["styles"] == [str(tmp_path / "a.png"), str(tmp_path / "b.png")]


def test_resuming_one_scale_at_another_size_names_what_it_holds_before_any_work(tiny_vgg16, rng, monkeypatch):
    """At one scale checkpoint.restore refused it, once the targets were computed, in words about the
    optimizer's arrays ("checkpoint array 0 is float32[24, 32, 3] where this run has ..."; here, without
    a layout, "another optimizer state layout"); the words are those of `stylize --resume` and of several scales."""
    from jaxart import checkpoint, transfer

    photo, painting = rng.random((30, 40, 3), dtype=np.float32), rng.random((20, 20, 3), dtype=np.float32)
    held = checkpoint.Checkpoint({"step": 2}, [np.zeros((24, 32, 3), np.float32)])  # of 32 px, not 48
    monkeypatch.setattr(transfer, "prepared_targets", lambda *a: pytest.fail("targets computed"))
    with pytest.raises(InputError) as e:
        jaxart.run(photo, [painting], weights=tiny_vgg16, config=StyleConfig(size=48, steps=3), resume=held)
    assert str(e.value) == ("checkpoint holds a 32x24 image (margin included), which is no scale of [48] for this "
                            "photo; it was made with another config, or edited or damaged: resume it with the config "
                            "it was made with, or start the run again")
