"""The memory estimate against measured memory, the clear error before a run that cannot fit,
and `remat` (per-stage jax.checkpoint) giving the same loss and gradient."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from typer.testing import CliRunner

import cli
from conftest import shared_image
from jaxart import bench, memory, transfer, vgg
from jaxart.config import StyleConfig
from jaxart.errors import InputError


def test_estimate_is_close_to_the_compiled_programs_peak():
    # Real VGG19 widths, random weights. The measure is XLA's own count of the temporary
    # buffers the compiled gradient holds at its peak: sampled RSS growth is not usable here,
    # as the process keeps and reuses that memory across calls (BENCHMARKS.md).
    for size in (64, 128):
        fun, x, _ = bench.setup(size)
        measured = bench.compile_gradient(fun, x).memory_analysis().temp_size_in_bytes
        assert 0.8 <= memory.evaluation_bytes(size, size) / measured <= 1.5, (size, measured)


def test_estimate_grows_with_pixels_and_depth():
    small, large = memory.evaluation_bytes(256, 256), memory.evaluation_bytes(512, 512)
    assert 3.0 < (large - memory.FIXED_BYTES) / (small - memory.FIXED_BYTES) <= 4.0 + 1e-6
    shallow = memory.evaluation_bytes(512, 512, layers=("relu1_1",))
    assert shallow < large / 2


def test_check_names_a_size_that_fits():
    config = StyleConfig(size=512)
    need = memory.check(config, available=10**12)
    free = need - 1
    with pytest.raises(InputError, match=r"needs about .* GiB .* use --size \d+ or smaller") as e:
        memory.check(config, available=free)
    fits = int(str(e.value).split("--size ")[1].split()[0])
    assert 16 <= fits < 512
    assert memory.run_bytes(fits, fits, config) <= free < memory.run_bytes(fits + 1, fits + 1, config)
    with pytest.raises(InputError, match="more memory"):
        memory.check(config, available=memory.RUNTIME_BYTES)


def test_lbfgs_memory_counts_in_the_estimate_and_the_hint():
    default, long = StyleConfig(size=512), StyleConfig(size=512, lbfgs_memory=100)
    image = 528 * 528 * 3 * 4  # the state is of the image inside its 8 px margin
    assert memory.run_bytes(512, 512, long) - memory.run_bytes(512, 512, default) == 2 * 90 * image
    with pytest.raises(InputError, match=r"use --lbfgs-memory 10$"):
        memory.check(long, available=memory.run_bytes(512, 512, default))


def test_the_estimate_counts_the_margin_the_image_is_optimized_in():
    plain, framed = StyleConfig(size=512, margin=0), StyleConfig(size=512, margin=8)
    assert memory.run_bytes(512, 384, framed) == memory.run_bytes(528, 400, plain)


@pytest.mark.parametrize("m", [3, 20])
def test_optimizer_state_is_what_the_estimate_counts(m):
    config = StyleConfig(lbfgs_memory=m)
    x = jnp.zeros((32, 48, 3))
    state = transfer.optimizer(config).init(x)
    held = sum(a.nbytes for a in jax.tree.leaves(state))
    assert 2 * m * x.nbytes <= held <= memory.optimizer_bytes(32, 48, config)


def test_cli_refuses_an_impossible_size_before_loading_weights(tmp_path):
    content, style = shared_image("content/tubingen.jpg"), shared_image("style/starry_night.jpg")
    out = tmp_path / "out.png"
    # vgg19 is not installed here: reaching the weights would try a download and fail otherwise.
    result = CliRunner().invoke(cli.app, [
        "stylize", str(content), str(style), "--size", "200000", "--model", "vgg19",
        "--output", str(out)], catch_exceptions=True)
    assert result.exit_code != 0
    message = str(result.exception)
    assert "GiB" in message and "--size" in message and "error" not in message.lower()
    assert not out.exists()


def test_remat_gives_the_same_loss_and_gradient(tiny_weights, rng):
    pooling = "avg" if tiny_weights.arch == "vgg16" else "max"
    content, style, x = (rng.random((32, 24, 3), dtype=np.float32) for _ in range(3))
    results = []
    for remat in (False, True):
        config = StyleConfig(size=32, pooling=pooling, remat=remat)
        targets = transfer.make_targets(tiny_weights, content, [style], config)
        fun = transfer.loss_function(tiny_weights, targets, config, transfer.LossWeights.of(config))
        results.append(jax.jit(jax.value_and_grad(fun, has_aux=True))(jnp.asarray(x)))
    (v0, _), g0 = results[0]
    (v1, _), g1 = results[1]
    assert float(v1) == pytest.approx(float(v0), rel=1e-5)
    np.testing.assert_allclose(np.asarray(g1), np.asarray(g0), rtol=1e-4, atol=1e-6 * float(jnp.abs(g0).max()))


def test_remat_features_match_for_every_layer(tiny_vgg16, rng):
    image = rng.random((2, 20, 20, 3), dtype=np.float32)
    layers = ("conv1_1", "relu2_2", "pool3", "relu4_1", "conv5_3")
    plain, remat = (vgg.features(tiny_vgg16, image, layers, remat=r) for r in (False, True))
    for k in layers:
        np.testing.assert_allclose(np.asarray(remat[k]), np.asarray(plain[k]), rtol=1e-5, atol=1e-5)


def test_remat_must_be_a_bool():
    with pytest.raises(ValueError, match="remat must be true or false"):
        StyleConfig(remat="yes").validate()
