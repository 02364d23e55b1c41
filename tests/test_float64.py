"""float64 through VGG: float64 weights give a float64 pass, so `check_grads` holds at its
float64 tolerances for features and total_loss, with remat too; loaded (float32) weights keep
float32 whatever the pixels' float dtype, and bfloat16 or float16 weights compute in float32; `run` takes float32
or float64 weights in either loop under x64 and strict promotion."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jaxart

W = (2, 3, 3, 3, 3)
CONFIG = jaxart.StyleConfig(conv="direct", content_layers=("relu2_1",), style_layers=("relu1_1", "relu2_1"))


def _f64(w):
    return jax.tree.map(lambda a: jnp.asarray(a, jnp.float64), w)


@pytest.fixture(scope="module")
def w():
    return jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=W)


def test_features_of_float64_weights_pass_check_grads(w, rng):
    """The pixels were cast to float32 whatever the weights: the activations said float64, but
    finite differences in float64 disagreed with the gradient (check_grads failed)."""
    with jax.enable_x64(True):
        w64, x = _f64(w), jnp.asarray(rng.random((8, 6, 3)))
        for pooling in ("max", "avg"):
            fun = lambda x, pooling=pooling: jaxart.features(w64, x, ["relu1_2", "pool2"], pooling)["pool2"]
            assert fun(x).dtype == jnp.float64
            check_grads(fun, (x,), order=1, modes=["fwd", "rev"])


def test_total_loss_of_float64_weights_passes_check_grads_under_strict_promotion(w, rng):
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):
        w64, x = _f64(w), jnp.asarray(rng.random((8, 8, 3)))
        targets = jaxart.make_targets(w64, x * 0.5, [x[::-1]], CONFIG)
        lw = jaxart.LossWeights.of(CONFIG)  # float32 weights against a float64 loss
        total, terms = jaxart.total_loss(w64, x, targets, CONFIG, lw)
        assert total.dtype == jnp.float64 and {t.dtype for t in terms.values()} == {jnp.dtype(jnp.float64)}
        check_grads(lambda x: jaxart.total_loss(w64, x, targets, CONFIG, lw)[0], (x,), order=1, modes=["rev"])


def test_total_loss_with_region_masks_stays_float64_under_strict_promotion(w, rng):
    """The guided style loss summed onto a float32 zero and weighed float64 features by float32
    masks: a TypePromotionError under strict promotion, where the loss without masks held."""
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):
        w64, x = _f64(w), jnp.asarray(rng.random((8, 8, 3)))
        masks = np.zeros((2, 8, 8), np.float32)
        masks[0, :, :4], masks[1, :, 4:] = 1, 1
        targets = jaxart.make_targets(w64, x * 0.5, [x[::-1], x[:, ::-1]], CONFIG, masks=masks)
        lw = jaxart.LossWeights.of(CONFIG)
        total, terms = jaxart.total_loss(w64, x, targets, CONFIG, lw)
        assert total.dtype == terms["style"].dtype == jnp.float64 and terms["style"] > 0
        check_grads(lambda x: jaxart.total_loss(w64, x, targets, CONFIG, lw)[0], (x,), order=1, modes=["rev"])


@pytest.mark.parametrize("dtype", [jnp.float64, jnp.bfloat16])
def test_remat_takes_weights_of_any_float_dtype_as_the_plain_pass_does(w, rng, dtype):
    """remat=True fed the raw kernels to lax.conv_general_dilated: float64 or bfloat16 weights
    against float32 pixels were a TypeError, where the plain pass (nn.Conv) promotes."""
    with jax.enable_x64(True):
        wd, x = jax.tree.map(lambda a: jnp.asarray(a, dtype), w), rng.random((8, 6, 3))
        plain = jaxart.features(wd, x, ["relu2_1"])["relu2_1"]
        remat = jaxart.features(wd, x, ["relu2_1"], remat=True)["relu2_1"]
    np.testing.assert_allclose(remat, plain, rtol=1e-6, atol=1e-6)


def test_loaded_float32_weights_keep_float32_for_any_float_pixels(w, rng):
    x = rng.random((8, 6, 3))
    want = jaxart.features(w, x.astype(np.float32), ["relu2_1"])["relu2_1"]
    with jax.enable_x64(True):
        for pixels in (x, jnp.asarray(x, jnp.bfloat16), jnp.asarray(x, jnp.float16)):
            got = jaxart.features(w, pixels, ["relu2_1"])["relu2_1"]
            assert got.dtype == jnp.float32
    np.testing.assert_array_equal(jaxart.features(w, x, ["relu2_1"])["relu2_1"], want)


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16])
def test_half_precision_weights_compute_in_float32_under_strict_promotion(w, rng, dtype):
    """nn.Conv promoted float32 pixels against bfloat16 or float16 kernels implicitly: a TypePromotionError
    under strict promotion, for features, total_loss and a gradient w.r.t. the weights (fine-tuning)."""
    wd, x = jax.tree.map(lambda a: jnp.asarray(a, dtype), w), rng.random((8, 8, 3), dtype=np.float32)
    want = jaxart.features(jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), wd), x, ["relu2_1"])["relu2_1"]
    with jax.numpy_dtype_promotion("strict"):
        for remat in (False, True):
            got = jaxart.features(wd, x, ["relu2_1"], remat=remat)["relu2_1"]
            assert got.dtype == jnp.float32
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
        targets = jaxart.make_targets(wd, x * 0.5, [x[::-1]], CONFIG)
        grads = jax.grad(lambda v: jaxart.total_loss(v, x, targets, CONFIG, jaxart.LossWeights.of(CONFIG))[0])(wd)
    assert {g.dtype for g in jax.tree.leaves(grads)} == {jnp.dtype(dtype)}


@pytest.mark.parametrize("conv", ["winograd", "winograd-bf16"])
def test_winograd_of_float64_weights_stays_float64_under_strict_promotion(w, rng, conv):
    """Winograd's transforms widened with promote_types(x, float32): a TypePromotionError for float64 under
    strict promotion, so total_loss with float64 weights failed with conv="auto" (Winograd on CPU)."""
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):
        w64, x = _f64(w), jnp.asarray(rng.random((8, 8, 3)))
        fun = lambda x, conv: jaxart.features(w64, x, ["relu2_2"], conv=conv)["relu2_2"].sum()
        got, want = jax.value_and_grad(fun)(x, conv), jax.value_and_grad(fun)(x, "direct")
        assert got[0].dtype == got[1].dtype == jnp.float64
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
        error = np.linalg.norm(got[1] - want[1]) / np.linalg.norm(want[1])  # bfloat16 products: ~1.5% (README)
        assert error < (1e-12 if conv == "winograd" else 3e-2), error
        config = CONFIG.replace(conv=conv)
        targets = jaxart.make_targets(w64, x * 0.5, [x[::-1]], config)
        assert jaxart.total_loss(w64, x, targets, config, jaxart.LossWeights.of(config))[0].dtype == jnp.float64


def test_total_loss_computes_in_the_weights_dtype_whatever_the_targets_dtype(w, rng):
    """Targets made with float64 weights made a float32 loss float64 (its TV term alone float32), and
    float32 targets (a run's, compute_targets') against float64 weights were a TypePromotionError."""
    with jax.enable_x64(True):
        w64, x = _f64(w), jnp.asarray(rng.random((8, 8, 3)))
        lw = jaxart.LossWeights.of(CONFIG)
        t32 = jaxart.make_targets(w, x * 0.5, [x[::-1]], CONFIG)
        t64 = jaxart.make_targets(w64, x * 0.5, [x[::-1]], CONFIG)
        with jax.numpy_dtype_promotion("standard"):  # under strict (the suite's), an error too
            total, terms = jaxart.total_loss(w, x, t64, CONFIG, lw)
        assert {total.dtype, *(t.dtype for t in terms.values())} == {jnp.dtype(jnp.float32)}
        np.testing.assert_allclose(total, jaxart.total_loss(w, x, t32, CONFIG, lw)[0], rtol=1e-5)
        total, terms = jaxart.total_loss(w64, x, t32, CONFIG, lw)
        assert {total.dtype, *(t.dtype for t in terms.values())} == {jnp.dtype(jnp.float64)}
        np.testing.assert_allclose(total, jaxart.total_loss(w64, x, t64, CONFIG, lw)[0], rtol=1e-5)


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
def test_run_under_x64_and_strict_promotion_takes_either_loop_for_any_weights(w, rng, dtype):
    """Under jax_enable_x64 the scan loop's step indices were int64 against its int32 count, a TypePromotionError
    under strict promotion (and scan is loop "auto" on GPU); and float64 weights' float64 loss met the carry's
    float32 value in either loop (scan's "cond branches must have equal output types" under standard)."""
    photo, painting = rng.random((16, 16, 3), dtype=np.float32), rng.random((16, 16, 3), dtype=np.float32)
    config = CONFIG.replace(size=16, steps=3, margin=0)
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):
        wd = jax.tree.map(lambda a: jnp.asarray(a, dtype), w)
        runs = [jaxart.run(photo, [painting], weights=wd, config=config.replace(loop=loop))
                for loop in ("python", "scan")]
    assert [r.steps for r in runs] == [3, 3]
    np.testing.assert_allclose(runs[0].terms["total"], runs[1].terms["total"], rtol=1e-5)


def test_colour_recombine_start_and_finish_keep_float64_under_x64_and_strict_promotion(rng):
    """They cast to float32 whatever the pixels, where luminance and rgb_to_yiq keep float64: a photo's
    chroma put back on its own luminance came back 8e-8 off, not exact, and a float64 run's start was float32."""
    from jaxart import color

    x = rng.random((4, 5, 3))
    with jax.enable_x64(True), jax.numpy_dtype_promotion("strict"):
        y = color.luminance(x)
        back = color.recombine(y, x)
        assert back.dtype == jnp.float64
        np.testing.assert_allclose(back, x, rtol=0, atol=1e-12)
        assert color.recombine(y.astype(np.float32), x).dtype == jnp.float64  # the wider of the two
        for mode in ("luminance", "keep"):
            assert color.finish(x, x, mode).dtype == jnp.float64
        np.testing.assert_allclose(color.start(x, "luminance"), np.repeat(y[..., None], 3, -1), rtol=0, atol=1e-12)
        half = jnp.asarray(x, jnp.bfloat16)  # computed in float32 at least, as features computes
        assert color.start(half, "luminance").dtype == color.recombine(color.luminance(half), half).dtype == jnp.float32
