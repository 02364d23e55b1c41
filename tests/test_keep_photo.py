"""A mask region that keeps the photo (--region-style COLOUR=photo, `keep_colors`): no painting there."""

import contextlib
import shlex
import signal

import jax
import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import inputs, mask_regions, objective
from jaxart.config import StyleConfig
from jaxart.targets import make_targets

from conftest import run_main, write_tiny_job
from test_controls_spatial import _halves


def _inputs(rng, d):
    y, x = np.mgrid[0:30, 0:40] / 40.0  # a smooth photo, which the painting's noise is far from
    photo = np.stack([0.2 + 0.5 * x, 0.3 + 0.4 * y, 0.6 - 0.3 * x], -1).astype(np.float32)
    return photo, rng.random((20, 20, 3), dtype=np.float32), _halves(d / "m.png")  # 40x30: red left, blue right


def test_a_kept_region_stays_the_photo_and_the_painted_one_still_moves_to_its_painting(tiny_vgg16, rng, tmp_path):
    from jaxart import checkpoint

    photo, painting, mask = _inputs(rng, tmp_path)
    base = StyleConfig(size=32, steps=6, optimizer="adam", learning_rate=0.05, mask=mask)  # moves in a few steps
    saved = []
    save = lambda p: p.step == 3 and saved.append(checkpoint.save(tmp_path / "3.npz", p.carry, {"step": 3}))  # noqa: E731
    config = base.replace(region_colors=("red",), keep_colors=("blue",))
    kept = jaxart.run(photo, [painting], weights=tiny_vgg16, config=config, callback=save)
    resumed = jaxart.run(photo, [painting], weights=tiny_vgg16, config=config, resume=checkpoint.load(saved[0]))
    np.testing.assert_array_equal(resumed.image, kept.image)
    painted = jaxart.run(photo, [painting, painting], weights=tiny_vgg16,
                         config=base.replace(region_colors=("red", "blue")))
    small = inputs.sized_inputs(photo, [painting], base)[0]  # the photo at the output's 24x32
    right = (slice(None), slice(18, None))  # the blue region, away from its antialiased edge
    kept_off, painted_off = (np.abs(x.image[right] - small[right]).mean() for x in (kept, painted))
    assert kept_off < 0.01 and painted_off > 0.05, (kept_off, painted_off)
    # The red region's guided style loss against its painting falls from the photo's, as when all is painted.
    red = base.replace(region_colors=("red",))
    masks = mask_regions.load_masks(red.replace(keep_colors=("blue",)), small.shape, 1)[:1]
    targets = make_targets(tiny_vgg16, small, [inputs.sized_inputs(photo, [painting], base)[1][0]], red, masks)
    style = jax.jit(lambda x: objective.total_loss(tiny_vgg16, x, targets, red, objective.LossWeights.of(red))[1]["style"])
    assert float(style(kept.image)) < 0.8 * float(style(small)), (float(style(kept.image)), float(style(small)))


def test_sweep_keeps_the_photo_in_the_region_as_a_run_does(tiny_vgg16, rng, tmp_path):
    photo, painting, mask = _inputs(rng, tmp_path)
    config = StyleConfig(size=32, steps=3, optimizer="adam", learning_rate=0.05, mask=mask, region_colors=("red",),
                         keep_colors=("blue",), scales=(24, 32), colors="luminance")  # the photo's colours too
    swept = jaxart.sweep.sweep(photo, [painting], tiny_vgg16, config, jaxart.sweep.grid([1.0, 100.0]))
    small = inputs.sized_inputs(photo, [painting], config)[0]
    for image in swept.images:
        assert np.abs(image[:, 18:] - small[:, 18:]).mean() < 0.01
        assert np.abs(image[:, :14] - small[:, :14]).mean() > 0.02


def test_every_region_kept_is_refused_in_one_line_and_nothing_is_written(tmp_path, monkeypatch, capsys):
    from jaxart import model_choice

    d, model = write_tiny_job(tmp_path, "vgg16")
    mask = _halves(d / "m.png")
    monkeypatch.setattr(model_choice, "resolve_model", lambda *a, **k: pytest.fail("weights loaded"))
    for command in ("stylize", "sweep"):
        code, _, err = run_main([command, str(d / "photo.jpg"), "--mask", mask, "--region-style", "red=photo",
                                 "--region-style", "blue=PHOTO", "-o", str(d / "out.png"), "--model", model],
                                monkeypatch, capsys)
        assert code == 2 and len(err.splitlines()) == 1 and "nothing would be painted" in err, err
        assert not (d / "out.png").exists() and not (d / "out.html").exists()
    with pytest.raises(ValueError, match="every region keeps the photo"):
        StyleConfig(mask=mask, keep_colors=("red", "blue")).validate()


def test_the_record_and_a_resumed_run_give_back_the_kept_region_and_a_painting_named_photo_is_a_file(tmp_path, monkeypatch, capsys):
    """info --command's run, interrupted and resumed, gives the same config and pixels as the run it was made from."""
    from jaxart import signals

    d, model = write_tiny_job(tmp_path, "vgg16")
    mask = _halves(d / "m.png")
    monkeypatch.chdir(d)
    (d / "paint.png").rename(d / "photo")  # a painting file named like the word: ./photo paints with it
    code, _, err = run_main(["stylize", "photo.jpg", "--mask", mask, "--region-style", "red=./photo",
                             "--region-style", "blue=photo", "-o", "out.png", "--model", model, "--size", "32",
                             "--steps", "3", "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    record = jaxart.read_record(d / "out.png")
    assert record["config"]["region_colors"] == ["red"] and record["config"]["keep_colors"] == ["blue"]
    assert record["inputs"]["styles"] == [str(d / "photo")]
    code, out, err = run_main(["info", "out.png", "--command"], monkeypatch, capsys)
    assert code == 0, err
    argv = shlex.split(out)
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--region-style"] == [f"red={d / 'photo'}", "blue=photo"]
    with monkeypatch.context() as m:  # the command as printed, stopped by SIGTERM, then resumed from its checkpoint
        m.setattr(signals, "stop_signals", contextlib.contextmanager(lambda: (yield lambda: signal.SIGTERM)))
        code, _, err = run_main([*argv[1:], "--quiet"], monkeypatch, capsys)
    assert code == 143, err
    code, _, err = run_main(["stylize", "--resume", str(d / "out-2.ckpt.npz"), "--quiet"], monkeypatch, capsys)
    assert code == 0 and argv[argv.index("--output") + 1] == str(d / "out-2.png"), err
    again = jaxart.read_record(d / "out-2.png")
    assert again["config"] == record["config"] and again["inputs"]["styles"] == record["inputs"]["styles"]
    pixels = [np.asarray(Image.open(d / n), np.int16) for n in ("out.png", "out-2.png")]
    np.testing.assert_array_equal(*pixels)
