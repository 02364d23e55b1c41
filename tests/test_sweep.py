"""Sweeps in code: losses in jit/vmap/grad, batches equal to separate runs (colours, scales, coarse to fine,
several paintings), one compilation for every grid, two devices."""

import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxart
from jaxart import losses, optimize, sweep
from jaxart.objective import LossWeights

from conftest import ROOT, TINY


__all__ = ["CONFIG", "GRID", "TINY", "_inputs"]  # what SHARDED's subprocess and test_sweep_cli import from here

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


def test_a_second_sweep_of_the_same_shapes_compiles_nothing(result, tiny_vgg16):
    """Each sweep made new jitted functions (its init, step and final loss) and gave the target
    programs its whole config: a second sweep compiled 3 programs, 5 with other steps."""
    content, style = _inputs()
    other = sweep.grid(style_weights=[3.0, 30.0], seeds=[5, 6])  # as many settings as GRID
    compiles = []
    listener = lambda event, secs, **kw: compiles.append(event) if event.endswith("backend_compile_duration") else None
    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        again = sweep.sweep(content, style, tiny_vgg16, CONFIG.replace(steps=2), other)
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    assert again.ok.all() and compiles == []


def test_the_final_loss_is_taken_by_direct_convolutions_as_in_a_run(tiny_vgg16):
    """As `jaxart.run` does (transfer.run_scale): the loss a tile records does not depend on
    `conv`, and a Winograd sweep after a direct one compiles its own init and step, not the loss."""
    content, style = _inputs()
    config = CONFIG.replace(steps=1, conv="direct")
    sweep.sweep(content, style, tiny_vgg16, config, GRID)
    compiles = []
    listener = lambda event, secs, **kw: compiles.append(event) if event.endswith("backend_compile_duration") else None
    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        sweep.sweep(content, style, tiny_vgg16, config.replace(conv="winograd"), GRID)
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    assert len(compiles) == 2, compiles


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


def test_the_progress_of_a_padded_batch_leaves_the_padding_out():
    """Three settings on two devices run as four, the last repeated: the bar's mean counted it twice."""
    carry = optimize.Carry(params=None, opt_state=None, value=jnp.array([1.0, 2.0, 3.0, 3.0]), count=None, ok=None,
                           aux={"style": jnp.array([0.0, 0.0, 9.0, 9.0])})
    assert sweep.batch_mean(carry, 3) == (2.0, {"style": 3.0})


def test_a_sweep_takes_colours_and_the_paintings_scale_as_a_run_does(tiny_vgg16):
    """Sweeps refused colors and style_scale: each tile is now the run of its setting, its
    painting resized and its colours handled as `jaxart.run` does (here: the photo's chroma, scaled
    toward grey only where it does not fit the tile's luminance: `color.recombine`)."""
    content, style = _inputs()
    config = CONFIG.replace(steps=2, colors="luminance", style_scale=2.0)
    got = sweep.sweep(content, style, tiny_vgg16, config, GRID[:2])
    for i in range(2):
        alone = jaxart.run(content, [style], weights=tiny_vgg16, config=GRID[i].apply(config))
        np.testing.assert_allclose(got.images[i], alone.image, atol=2e-5)
        np.testing.assert_allclose(got.terms["total"][i], alone.terms["total"], rtol=1e-4)
    chroma = lambda x: jaxart.color.rgb_to_yiq(np.asarray(x, np.float64))[..., 1:]  # noqa: E731
    photo = np.broadcast_to(chroma(content), got.images.shape[:3] + (2,))
    share = (chroma(got.images) * photo).sum(-1) / np.maximum((photo * photo).sum(-1), 1e-12)
    assert share.min() >= -1e-3 and share.max() <= 1 + 1e-3 and np.median(share) > 0.99, share
    np.testing.assert_allclose(chroma(got.images), share[..., None] * photo, atol=1e-3)  # the photo's hue


def test_a_coarse_to_fine_sweep_gives_each_setting_its_coarse_to_fine_run(tiny_vgg16):
    """Sweeps refused --scales: each scale now runs the whole batch at its size, every tile continuing
    from its own optimized pixels as `jaxart.run` does (with colors "keep" the finished image, the
    photo's colours put back, would start the next scale elsewhere); steps count over all scales."""
    content, style = _inputs()
    config = CONFIG.replace(size=24, scales=(16, 24), scale_steps=(2, 3), steps=5, colors="keep")
    seen = []
    got = sweep.sweep(content, style, tiny_vgg16, config, GRID[:2], callback=lambda i, carry: seen.append(i))
    assert seen == [1, 2, 3, 4, 5] and got.steps.tolist() == [5, 5] and got.images.shape == (2, 18, 24, 3)
    for i in range(2):
        alone = jaxart.run(content, [style], weights=tiny_vgg16, config=GRID[i].apply(config))
        np.testing.assert_allclose(got.images[i], alone.image, atol=2e-5)
        np.testing.assert_allclose(got.terms["total"][i], alone.terms["total"], rtol=1e-4)


def test_a_setting_that_blew_up_at_a_coarse_scale_stays_stopped_and_the_bars_loss_a_number(tiny_vgg16, monkeypatch):
    """A setting whose loss became NaN or inf at the first scale is not stepped at the next, and the
    progress bar's mean loss and terms (`batch_mean`) keep its last finite ones: the next scale's
    fresh start holds inf and NaN there, which the bar showed as its loss for the rest of the sweep."""
    content, style = _inputs()
    config = CONFIG.replace(size=24, scales=(16, 24), scale_steps=(2, 3), steps=5, colors="keep")
    make_step = sweep.batched.make_batched_step

    def blowing_up(*args):
        step = make_step(*args)

        def stepped(carry, *rest):  # setting 1's first step is its last finite one, as when its loss overflows next
            carry = step(carry, *rest)
            return carry._replace(ok=carry.ok.at[1].set(False))

        return stepped

    monkeypatch.setattr(sweep.batched, "make_batched_step", blowing_up)
    means = []
    got = sweep.sweep(content, style, tiny_vgg16, config, GRID[:2],
                      callback=lambda i, carry: means.append(sweep.batch_mean(carry, 2)))
    assert got.ok.tolist() == [True, False] and got.steps.tolist() == [5, 1]
    assert len(means) == 5 and all(np.isfinite([loss, *terms.values()]).all() for loss, terms in means), means


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
