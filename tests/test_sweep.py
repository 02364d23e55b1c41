"""Research use: losses inside jit/vmap/grad, batched sweeps equal separate runs, two devices,
the sweep CLI's contact sheet and HTML page, and the feed-forward example's training."""

import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import cli
import jaxart
from jaxart import losses, memory, optimize, sheet, sweep
from jaxart.objective import LossWeights

from conftest import ROOT, TINY, run_main, write_tiny_job  # noqa: F401 - TINY: the subprocess below imports it from here

CONFIG = jaxart.StyleConfig(size=16, steps=4, init="random", content_layers=("relu2_1",),
                            style_layers=("relu1_1", "relu2_1"))
GRID = sweep.grid(style_weights=[1.0, 1000.0], seeds=[0, 1])


def _inputs():
    rng = np.random.default_rng(0)
    return rng.random((12, 16, 3), dtype=np.float32), rng.random((16, 16, 3), dtype=np.float32)


@pytest.fixture(scope="module")
def result(tiny_vgg16):
    content, style = _inputs()
    return sweep.sweep(content, style, tiny_vgg16, CONFIG, GRID)


def test_public_losses_compose_with_jit_vmap_grad(rng):
    f = rng.standard_normal((3, 4, 5, 2)).astype(np.float32)  # a batch of three (h, w, C) maps
    t = rng.standard_normal((4, 5, 2)).astype(np.float32)
    g = losses.gram(t)
    for name, fun in {"content": lambda x: losses.content_loss(x, t),
                      "style": lambda x: losses.style_layer_loss(x, g),
                      "style_loss": lambda x: losses.style_loss({"a": x}, {"a": g}),
                      "tv": losses.tv_loss}.items():
        values, grads = jax.jit(jax.vmap(jax.value_and_grad(fun)))(f)
        for i in range(len(f)):
            want_v, want_g = jax.value_and_grad(fun)(f[i])
            np.testing.assert_allclose(values[i], want_v, rtol=1e-5, err_msg=name)
            np.testing.assert_allclose(grads[i], want_g, rtol=1e-4, atol=1e-6, err_msg=name)
    # A batched style loss in float64 NumPy: the Gram distance of each map to the target.
    f64, t64 = f.astype(np.float64).reshape(3, 20, 2), t.astype(np.float64).reshape(20, 2)
    gf, gt = np.einsum("npi,npj->nij", f64, f64) / 20, t64.T @ t64 / 20
    want = ((gf - gt) ** 2).sum((1, 2)) / (gt**2).sum()
    np.testing.assert_allclose(jax.jit(jax.vmap(lambda x: losses.style_layer_loss(x, g)))(f), want, rtol=1e-4)


def test_batched_sweep_equals_separate_runs(result, tiny_vgg16):
    content, style = _inputs()
    assert result.images.shape == (4, 12, 16, 3) and result.ok.all() and result.devices == 1
    for i in (0, 3):  # two settings that differ in every swept value; each run compiles anew
        setting = GRID[i]
        alone = jaxart.run(content, [style], weights=tiny_vgg16, config=setting.apply(CONFIG))
        np.testing.assert_allclose(result.images[i], alone.image, atol=2e-5)
        np.testing.assert_allclose(result.terms["total"][i], alone.terms["total"], rtol=1e-4)
    # The grid is not degenerate: a seed changes the start, a style weight the balance.
    assert np.abs(result.images[0] - result.images[1]).mean() > 0.05
    assert result.terms["style"][2] < result.terms["style"][0]


def test_one_compilation_serves_every_grid(tiny_vgg16):
    content, style = _inputs()
    targets = jax.jit(jaxart.make_targets, static_argnums=3)(tiny_vgg16, content, [style], CONFIG)
    opt = optimize.make_optimizer("lbfgs")
    step = sweep.make_batched_step(opt, CONFIG)
    x = jnp.stack([jnp.asarray(content)] * 2)
    for style_weights in ([1.0, 10.0], [100.0, 0.5]):
        lw = LossWeights(jnp.ones(2), jnp.asarray(style_weights), jnp.zeros(2))
        fun = jaxart.objective.loss_function(tiny_vgg16, targets, CONFIG, LossWeights(1.0, 1.0, 0.0))
        carry = jax.jit(jax.vmap(lambda x: optimize.init_carry(fun, opt, x)))(x)
        carry = step(carry, lw, tiny_vgg16, targets)
    assert step._cache_size() == 1


SHARDED = """
import jax, numpy as np, jaxart
from jaxart import sweep
from test_sweep import CONFIG, GRID, TINY, _inputs
w = jaxart.random_weights(jax.random.PRNGKey(1), "vgg16", widths=TINY)
r = sweep.sweep(*_inputs(), w, CONFIG, GRID[:3])
np.savez({out!r}, images=r.images, devices=r.devices, local=jax.local_device_count())
"""


def test_sweep_sharded_over_two_devices_gives_the_same_images(result, tmp_path):
    out = tmp_path / "two.npz"
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT)])}
    proc = subprocess.run([sys.executable, "-c", SHARDED.format(out=str(out))], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    two = np.load(out)
    assert int(two["local"]) == 2 and int(two["devices"]) == 2  # the batch (3, padded to 4) was split
    np.testing.assert_allclose(two["images"], result.images[:3], atol=2e-5)


def test_contact_sheet_labels_every_tile(rng):
    labels, title = sheet.labels(sweep.grid([1.0, 100.0], [1.0], [10.0], [0, 7]))
    assert labels == ["style 1  seed 0", "style 1  seed 7", "style 100  seed 0", "style 100  seed 7"]
    assert title == "all tiles: content 1  tv 10"
    assert sheet.columns_for(sweep.grid([1.0, 10.0, 100.0], seeds=[0, 7])) == 2  # style down, seed across
    assert sheet.columns_for(sweep.grid([1.0, 10.0, 100.0])) == 3  # one row
    images = np.ones((4, 40, 60, 3), np.float32)  # white tiles on an off-white sheet
    img = np.asarray(sheet.contact_sheet(images, labels, title))
    ink = img.min(axis=2) < 100
    strip = ink[sheet.GAP + 16 + 40: sheet.GAP + 16 + 40 + 16]  # below the first row of tiles
    assert ink[:16].any() and strip[:, : img.shape[1] // 2].any() and strip[:, img.shape[1] // 2:].any()
    assert not ink[16 + sheet.GAP: 16 + sheet.GAP + 40].any()  # nothing drawn over the tiles
    with pytest.raises(ValueError, match="one label per image"):
        sheet.contact_sheet(images, labels[:3])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweep")
    return write_tiny_job(d, "vgg16")


def _sweep_args(files, out, *extra):
    d, model = files
    return ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(out), "--model", model,
            "--size", "24", "--steps", "2", *extra]


def test_cli_sweep_writes_sheet_page_and_images(files, tmp_path):
    out = tmp_path / "grid.png"
    args = _sweep_args(files, out, "--style-weight", "1,100", "--tv-weight", "0,10", "--seed", "3", "--quiet")
    run = CliRunner().invoke(cli.app, args)
    assert run.exit_code == 0, run.output
    tiles = sorted(tmp_path.glob("grid-*.png"))
    assert [t.name for t in tiles] == [f"grid-{i:02d}.png" for i in range(4)]
    record = jaxart.read_record(out)
    assert [s["style_weight"] for s in record["sweep"]] == [1.0, 1.0, 100.0, 100.0]
    assert [s["tv_weight"] for s in record["sweep"]] == [0.0, 10.0, 0.0, 10.0]
    for tile, setting in zip(tiles, record["sweep"]):
        r = jaxart.read_record(tile)
        assert r["config"]["style_weight"] == setting["style_weight"] and r["config"]["seed"] == 3
        assert r["model"] == "tiny" and set(r["loss"]) == {"total", "content", "style", "tv"}
        with Image.open(tile) as img:
            assert img.size == (24, 18)
    with Image.open(out) as img:
        assert img.width >= 2 * 24 and img.height > 2 * 18  # two columns, two rows, labels
    page = (tmp_path / "grid.html").read_text()
    assert page.count("<figure>") == 4 and 'src="grid.png"' in page
    for tile, label in zip(tiles, ["style 1  tv 0", "style 1  tv 10", "style 100  tv 0", "style 100  tv 10"]):
        assert f'<img src="{tile.name}" alt="{label}">' in page
    assert page.count("&quot;style_weight&quot;: 100.0") == 2 and page.count("&quot;steps&quot;: 2,") == 4
    again = CliRunner().invoke(cli.app, args)
    assert again.exit_code != 0 and "already exists" in str(again.exception)


def test_a_setting_whose_loss_blew_up_is_named_by_its_tile_and_values(files, tmp_path, monkeypatch, capsys):
    """Weights are capped at 1e30, so a NaN is forced: the message used to list indices ("settings [1]")."""
    real = sweep.sweep

    def one_fails(*args, **kwargs):
        r = real(*args, **kwargs)
        return r._replace(ok=np.array([True, False]))

    monkeypatch.setattr(sweep, "sweep", one_fails)
    out = tmp_path / "g.png"
    code, _, err = run_main(_sweep_args(files, out, "--style-weight", "1,100", "--quiet"), monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1, err
    assert "for 1 of 2 settings: g-01.png (style 100  content 1  tv 10  seed 0);" in err
    assert (tmp_path / "g-01.png").is_file() and out.is_file()  # the last finite images are kept


@pytest.mark.parametrize("extra, expected", [
    (["--style-weight", "1,-1"], "style-weight must be a finite number >= 0"),
    (["--seed", "0,x"], "not a comma-separated list of whole numbers"),
    (["--seed", "-1"], "seed must be an integer >= 0"),
    (["--tv-weight", ""], "--tv-weight: '' has an empty item"),
])
def test_cli_sweep_bad_input_gives_one_line_and_no_output(extra, expected, files, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["cli.py", *_sweep_args(files, tmp_path / "g.png", *extra)])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and len(err.splitlines()) == 1 and expected in err, err
    assert not list(tmp_path.iterdir())


def test_feedforward_example_loss_falls(tiny_vgg16):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import feedforward
    finally:
        sys.path.remove(str(ROOT / "examples"))
    rng = np.random.default_rng(0)
    style = rng.random((16, 16, 3), dtype=np.float32)
    ramp = np.linspace(0, 1, 24, dtype=np.float32)[:, None, None] * np.ones((24, 32, 3), np.float32)
    photos = [np.clip(ramp + 0.1 * rng.standard_normal(ramp.shape), 0, 1).astype(np.float32)]
    _, history = feedforward.train(tiny_vgg16, style, photos, config=CONFIG, steps=20, size=16, batch=2,
                                   learning_rate=1e-2, net=feedforward.StyleNet(widths=(8, 8), blocks=1))
    assert len(history) == 20 and np.isfinite(history).all()
    assert np.mean(history[-5:]) < 0.5 * np.mean(history[:3])


def test_sweep_refuses_settings_it_would_ignore():
    fields = {f for f in jaxart.StyleConfig.__dataclass_fields__}
    name = next((n for n in ("colors", "style_scale") if n in fields), None)
    if name is None:
        pytest.skip("this StyleConfig has none of the settings sweeps refuse")
    config = jaxart.StyleConfig().replace(**{name: "luminance" if name == "colors" else 0.5})
    with pytest.raises(ValueError, match=f"sweeps do not support {name.replace('_', '-')}"):
        sweep.check(config, GRID)
    with pytest.raises(ValueError, match="grid is empty"):
        sweep.check(jaxart.StyleConfig(), [])


def test_memory_check_scales_with_the_batch_and_names_what_fits():
    config = jaxart.StyleConfig(size=256)
    one, four = (sweep.check_memory(config, n, available=2**50) for n in (1, 4))
    # activations and optimizer state (of each image inside its margin) grow with the images per
    # device; runtime and weights do not
    seen = 256 + 2 * config.margin
    per_image = memory.evaluation_bytes(seen, seen) + memory.optimizer_bytes(seen, seen, config)
    assert four - one == (-(-4 // jax.local_device_count()) - 1) * per_image and four < 4 * one
    with pytest.raises(ValueError, match=r"sweep at most \d+ settings at a time or use a smaller --size"):
        sweep.check_memory(config, 64, available=four)


@pytest.mark.parametrize("failing", [".html", "sheet.png"])
def test_a_failed_write_leaves_no_part_of_the_sweep(failing, tmp_path, monkeypatch):
    """A full disk at the page or the sheet: the single images already written go too, so a rerun
    is not refused for files of a sweep that never finished."""
    import errno

    real = os.replace

    def replace(src, dst):
        if str(dst).endswith(failing):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    images = np.random.default_rng(0).random((len(GRID), 16, 16, 3)).astype(np.float32)
    with pytest.raises(jaxart.JaxartError, match="No space left on device"):
        sheet.write(tmp_path / "sheet.png", images, GRID, CONFIG)
    assert not list(tmp_path.iterdir())


def test_a_sweep_blends_paintings_of_different_sizes_as_a_run_does(tiny_vgg16):
    """np.ndim on paintings of two shapes raised, so `jaxart sweep PHOTO A.jpg B.jpg` failed."""
    content, style = _inputs()
    wide = np.random.default_rng(1).random((10, 20, 3), dtype=np.float32)
    config = CONFIG.replace(steps=2)
    got = sweep.sweep(content, [style, wide], tiny_vgg16, config, GRID[:1])
    want = jaxart.run(content, [style, wide], weights=tiny_vgg16, config=GRID[0].apply(config))
    np.testing.assert_allclose(got.images[0], want.image, atol=2e-5)


def test_a_photo_too_small_for_the_deepest_layer_is_refused_before_any_step(tiny_vgg16):
    """As `stylize` refuses it; before, every setting's loss became NaN ("lower --style-weight")."""
    _, style = _inputs()
    sliver = np.zeros((2, 40, 3), np.float32)  # 16 px long: 16x1 after resizing, and relu2_1 needs 2
    with pytest.raises(jaxart.InputError, match="too small for layer relu2_1"):
        sweep.sweep(sliver, style, tiny_vgg16, CONFIG, GRID[:1], callback=lambda *a: pytest.fail("stepped"))
