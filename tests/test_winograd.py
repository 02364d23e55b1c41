"""Winograd F(4x4, 3x3) convolutions give XLA's values and gradients, in VGG as alone."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from jaxart import convs, vgg, winograd
from jaxart.weights.random_init import random_weights

DIMS = ("NHWC", "HWIO", "NHWC")


def direct(x, k):
    return lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=DIMS)


def close(a, b, tol=2e-5):
    """Equal up to float32 rounding, relative to the largest value."""
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=tol * float(jnp.max(jnp.abs(b))))


# Sides that are and are not multiples of the 4-pixel tile, a 1-pixel image, a batch.
@pytest.mark.parametrize("shape", [(1, 8, 12, 5), (2, 13, 7, 3), (1, 1, 1, 4), (3, 6, 17, 2)])
def test_values_and_both_gradients_match_xla(shape):
    kx, kk, kg = jax.random.split(jax.random.PRNGKey(sum(shape)), 3)
    x = jax.random.normal(kx, shape)
    k = jax.random.normal(kk, (3, 3, shape[-1], 6))
    g = jax.random.normal(kg, shape[:3] + (6,))
    close(jax.jit(winograd.conv3x3)(x, k), direct(x, k))
    grads = lambda conv: jax.jit(jax.grad(lambda x, k: jnp.sum(conv(x, k) * g), (0, 1)))(x, k)
    for ours, xla in zip(grads(winograd.conv3x3), grads(direct)):
        close(ours, xla)


def test_the_transforms_are_the_matrix_products():
    # `_tiles` computes BT d B with shared sums, `transform_kernel` and `_untile` G g G^T and
    # AT m A as products with kron(G, G) and kron(AT, AT): exact on small integers, which float32
    # holds exactly, where the product is in float32 (not rounded to bfloat16 on an AMX CPU).
    rng = np.random.default_rng(0)
    x = rng.integers(-16, 17, (2, 7, 10, 3)).astype(np.float32)  # 2 x 3 tiles of 4, zero-padded
    padded = np.pad(x, ((0, 0), (1, 2), (1, 3), (0, 0)))
    d = np.array([[padded[:, 4 * i : 4 * i + 6, 4 * j : 4 * j + 6] for j in range(3)] for i in range(2)])
    d = d.transpose(2, 0, 1, 3, 4, 5)  # (N, th, tw, 6, 6, C)
    want = np.einsum("ak,nijklc,bl->abnijc", winograd.BT, d, winograd.BT)  # (6, 6, N, th, tw, C)
    np.testing.assert_array_equal(winograd._tiles(jnp.asarray(x)), want.reshape(36, 12, 3))
    m = rng.integers(-16, 17, (6, 6, 2, 2, 3, 5))
    y = np.einsum("ak,klnijc,bl->niajbc", winograd.AT, m, winograd.AT).reshape(2, 8, 12, 5)
    got = winograd._untile(jnp.asarray(m.reshape(36, 12, 5), jnp.float32), (2, 7, 10, 5))
    np.testing.assert_array_equal(got, y[:, :7, :10])
    g = rng.normal(size=(3, 3, 4, 5))
    want = np.einsum("ak,klio,bl->abio", winograd.G, g, winograd.G).reshape(36, 4, 5)
    np.testing.assert_allclose(winograd.transform_kernel(jnp.asarray(g, jnp.float32)), want, rtol=0, atol=1e-6 * np.abs(want).max())


def _equations(jaxpr) -> int:
    """Equations of `jaxpr`, those of the jaxprs inside its equations (jit, custom_vjp) included."""
    inner = lambda p: [q.jaxpr if hasattr(q, "jaxpr") else q for q in (p if isinstance(p, (list, tuple)) else [p])]
    return sum(1 + sum(_equations(q) for p in e.params.values() for q in inner(p) if hasattr(q, "eqns"))
               for e in jaxpr.eqns)


def test_a_layers_value_and_gradient_trace_to_few_equations():
    # What XLA compiles grows with the trace: the kernel's and the output's transforms are one
    # matrix product each, not 2 x 12 and 2 x 13 sums, which halved a layer's compile time
    # (BENCHMARKS.md, "Compiling the Winograd convolution"). 131 here; 239 with the sums.
    x, k = jnp.ones((1, 32, 32, 8)), jnp.ones((3, 3, 8, 8))
    loss = lambda x: jnp.sum(winograd.conv3x3(x, k) ** 2)
    assert _equations(jax.make_jaxpr(jax.grad(loss))(x).jaxpr) <= 150


def test_second_order_reverse_mode_matches_xla():
    x = jax.random.normal(jax.random.PRNGKey(1), (1, 9, 10, 3))
    k = jax.random.normal(jax.random.PRNGKey(2), (3, 3, 3, 4))
    norm = lambda conv: lambda x: jnp.sum(jax.grad(lambda y: jnp.sum(jnp.tanh(conv(y, k))))(x) ** 2)
    hvp = lambda conv: jax.jit(jax.grad(norm(conv)))(x)
    close(hvp(winograd.conv3x3), hvp(direct), tol=1e-4)
    # Forward over reverse, as README says (jax.hessian): a Hessian-vector product without a forward-mode rule.
    fwd = lambda conv: jax.jvp(jax.grad(lambda y: jnp.sum(jnp.tanh(conv(y, k)))), (x,), (jnp.cos(x),))[1]
    close(fwd(winograd.conv3x3), fwd(direct), tol=1e-4)


@pytest.mark.parametrize("remat", [False, True])
def test_forward_mode_through_winograd_features_says_to_give_conv_direct(remat):
    """jax.jvp or jax.jacfwd of features or a loss by Winograd (StyleConfig's "auto" on CPU at 64 px and more) was
    JAX's "can't apply forward-mode autodiff (jvp) to a custom_vjp function", naming neither Winograd nor conv."""
    w = random_weights(jax.random.PRNGKey(0), "vgg16", widths=(2, 3, 3, 3, 3))
    x = jax.random.uniform(jax.random.PRNGKey(1), (8, 8, 3))
    f = lambda conv: lambda x: vgg.features(w, x, ["relu2_1"], remat=remat, conv=conv)["relu2_1"].sum()
    with pytest.raises(TypeError, match=r"^conv 'winograd' computes VGG's stages 2-5 by Winograd, which is "
                                        r"differentiable in reverse mode only .*; for jax.jvp or jax.jacfwd give "
                                        r"conv='direct' \(StyleConfig\(conv='direct'\) for total_loss\)"):
        jax.jvp(f("winograd"), (x,), (x,))
    # Under a jit of the caller's, JAX raises as it compiles, where jaxart cannot: its own words, still a TypeError
    # (features' docstring and README say so).
    with pytest.raises(TypeError, match=r"forward-mode autodiff \(jvp\) to a custom_vjp function"):
        jax.jvp(jax.jit(f("winograd")), (x,), (x,))
    close(jax.jvp(jax.grad(f("winograd")), (x,), (x,))[1], jax.jvp(jax.grad(f("direct")), (x,), (x,))[1], 1e-4)


def test_flax_hook_falls_back_to_xla_where_winograd_does_not_apply():
    x = jax.random.normal(jax.random.PRNGKey(3), (1, 12, 12, 3))
    k5 = jax.random.normal(jax.random.PRNGKey(4), (5, 5, 3, 2))
    k3 = k5[:3, :3]
    cases = [(k5, (1, 1), "SAME"), (k3, (2, 2), "SAME"), (k3, (1, 1), "VALID"), (k3, (1, 1), ((1, 1), (1, 1)))]
    for k, strides, padding in cases:
        got = winograd.conv_general_dilated(x, k, strides, padding, dimension_numbers=DIMS)
        close(got, lax.conv_general_dilated(x, k, strides, padding, dimension_numbers=DIMS))


def test_vgg_features_and_their_gradient_match_direct_convolutions():
    # A narrow VGG19: stages 2-5 run by Winograd, 1 by XLA, whatever the widths.
    w = random_weights(jax.random.PRNGKey(0), "vgg19", widths=(4, 8, 8, 16, 16))
    image = jax.random.uniform(jax.random.PRNGKey(5), (44, 36, 3))
    layers = ("relu1_1", "relu3_1", "conv4_2", "relu5_1")
    xla_grad, xla = _gradient_and_features(w, image, layers, "direct")
    for remat in (False, True):
        grad, ours = _gradient_and_features(w, image, layers, "winograd", remat)
        for name in layers:
            close(ours[name], xla[name], tol=1e-4)
        close(grad, xla_grad, tol=1e-4)


def _gradient_and_features(w, image, layers, conv, remat=False):
    """The gradient of the features' sum of squares, and the features: one compiled program."""
    def loss(x):
        f = vgg.features(w, x, layers, remat=remat, conv=conv)
        return sum(jnp.sum(v**2) for v in f.values()), f
    return jax.jit(jax.grad(loss, has_aux=True))(image)


def test_bfloat16_gradients_keep_the_values_exact_and_the_gradient_within_a_few_percent():
    x = jax.random.normal(jax.random.PRNGKey(6), (1, 16, 12, 8))
    k = jax.random.normal(jax.random.PRNGKey(7), (3, 3, 8, 8))
    conv = lambda x, k, dtype: jax.jit(winograd.conv3x3, static_argnums=2)(x, k, dtype)
    assert np.array_equal(conv(x, k, "bfloat16"), conv(x, k, "float32"))
    grad = lambda dtype: jax.jit(jax.grad(lambda x: jnp.sum(jnp.tanh(winograd.conv3x3(x, k, dtype)))))(x)
    exact, rounded = grad("float32"), grad("bfloat16")
    error = float(jnp.max(jnp.abs(rounded - exact)) / jnp.max(jnp.abs(exact)))
    assert 1e-4 < error < 0.05, error  # bfloat16's 8-bit mantissa, not float32's 24


def test_vgg_with_bfloat16_gradients_gives_the_same_features_and_a_close_gradient():
    w = random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8, 16, 16))
    image = jax.random.uniform(jax.random.PRNGKey(8), (40, 32, 3))
    layers = ("relu2_1", "relu4_2", "relu5_1")
    (exact, f32), (rounded, bf16) = (_gradient_and_features(w, image, layers, c) for c in ("winograd", "winograd-bf16"))
    for name in layers:
        assert np.array_equal(f32[name], bf16[name])
    assert float(jnp.linalg.norm(rounded - exact) / jnp.linalg.norm(exact)) < 0.05  # 1.5% with vgg16-hed


def test_auto_takes_bfloat16_gradients_only_on_cpus_with_bfloat16_instructions():
    flags = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f {}\nbugs\t\t: spectre_v1 amx_bf16\n"
    assert convs.bfloat16_pays(flags.format("avx512_bf16 amx_bf16 amx_tile"))  # Intel Xeon with AMX
    assert convs.bfloat16_pays(flags.format("avx512_bf16 avx512_vnni"))  # AMD Zen 4
    assert not convs.bfloat16_pays(flags.format("amx_tile avx512_fp16 avx_vnni"))
    assert not convs.bfloat16_pays(flags.format("")) and not convs.bfloat16_pays("")
    assert convs.gradient_products("auto") == ("bfloat16" if convs.bfloat16_pays() else "float32")
    assert convs.gradient_products("winograd-bf16") == "bfloat16"
    assert convs.gradient_products("winograd") == convs.gradient_products("direct") == "float32"
    assert convs.uses_winograd("winograd-bf16", 2, 8, 1) and not convs.uses_winograd("winograd-bf16", 1, 64, 10**6)


def test_auto_takes_winograd_for_large_layers_on_cpu_and_bad_choices_are_named():
    cpu = jax.default_backend() == "cpu"
    # VGG at 512 px: stage 2 (256 x 256 x 128) and stage 5 (32 x 32 x 512) yes, stage 1 (64
    # channels) no; at 64 px stage 3 is 16 x 16 and stays XLA's, as do the narrow test networks.
    assert convs.uses_winograd("auto", 2, 128, 256 * 256) == convs.uses_winograd("auto", 5, 512, 32 * 32) == cpu
    assert not convs.uses_winograd("auto", 1, 64, 512 * 512)
    assert not convs.uses_winograd("auto", 3, 256, 16 * 16) and not convs.uses_winograd("auto", 3, 8, 128 * 128)
    assert convs.uses_winograd("winograd", 2, 8, 1) and not convs.uses_winograd("winograd", 1, 512, 10**6)
    assert not convs.uses_winograd("direct", 4, 512, 10**6)
    with pytest.raises(ValueError, match="conv 'fft' is not supported; use one of auto, direct, winograd, winograd-bf16"):
        convs.uses_winograd("fft", 3, 256, 1024)
    from jaxart import StyleConfig

    with pytest.raises(ValueError, match="conv"):
        StyleConfig(conv="fft").validate()


def test_cli_refuses_an_unknown_conv_in_one_line(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    for args in (["stylize", "a.jpg", "b.jpg", "--conv", "fft", "-o", str(tmp_path / "out.png")],
                 ["bench", "--conv", "direct,fft"]):
        cli = Path(__file__).resolve().parents[1] / "cli.py"
        done = subprocess.run([sys.executable, str(cli), *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--conv" in done.stderr, done.stderr
        assert "auto" in done.stderr and "winograd" in done.stderr
    assert not (tmp_path / "out.png").exists()


def test_the_run_record_names_the_gradient_precision_the_run_used():
    # "auto" at a size where no layer reaches Winograd's threshold runs XLA's float32 convolutions:
    # the record said bfloat16 there whenever the CPU had bfloat16 instructions.
    widths = vgg.CHANNELS
    assert convs.run_gradient("auto", widths, (24 + 16, 32 + 16), 5) == "float32"
    assert convs.run_gradient("auto", widths, (384 + 16, 512 + 16), 5) == convs.gradient_products("auto")
    assert convs.run_gradient("auto", widths, (384, 512), 1) == "float32"  # stage 1 only: never Winograd
    assert convs.run_gradient("winograd-bf16", (4, 8, 8, 8, 8), (24, 32), 2) == "bfloat16"  # forced, any size
    assert convs.run_gradient("direct", widths, (384, 512), 5) == "float32"


def test_bfloat16_products_are_never_chosen_off_a_cpu_backend(monkeypatch):
    monkeypatch.setattr(convs, "_cpu_flags_line", lambda: "flags\t\t: avx512_bf16 amx_bf16")
    assert convs.bfloat16_pays()  # this process's CPU backend on an AMX CPU
    monkeypatch.setattr(winograd.jax, "default_backend", lambda: "gpu")
    assert not convs.bfloat16_pays() and convs.gradient_products("auto") == "float32"


def test_flax_hook_leaves_grouped_convolutions_and_a_given_precision_to_xla():
    x = jax.random.normal(jax.random.PRNGKey(3), (1, 12, 12, 4))
    grouped = jax.random.normal(jax.random.PRNGKey(4), (3, 3, 2, 4))  # 2 groups of 2 channels
    got = winograd.conv_general_dilated(x, grouped, (1, 1), "SAME", dimension_numbers=DIMS, feature_group_count=2)
    close(got, lax.conv_general_dilated(x, grouped, (1, 1), "SAME", dimension_numbers=DIMS, feature_group_count=2))
    k = jax.random.normal(jax.random.PRNGKey(5), (3, 3, 4, 4))
    for precision in (lax.Precision.HIGHEST, lax.Precision.DEFAULT):  # XLA's own, as asked: bit for bit
        got = winograd.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=DIMS, precision=precision)
        want = lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=DIMS, precision=precision)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
