"""The memory estimate against measured memory, the clear error before a run that cannot fit,
and `remat` (per-stage jax.checkpoint) giving the same loss and gradient."""

import math
import os
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from typer.testing import CliRunner

import cli
from conftest import shared_image
from jaxart import bench_setup, footprint, memory, objective, optimize, transfer, vgg
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart.targets import compute_targets, make_targets
from jaxart.weights.random_init import random_weights


@pytest.mark.parametrize("conv, remat", [("direct", False), ("winograd", False), ("winograd", True)])
def test_estimate_is_close_to_the_compiled_programs_peak(conv, remat):
    # Real VGG19 widths, random weights. The measure is XLA's own count of the temporary
    # buffers the compiled gradient holds at its peak: sampled RSS growth is not usable here,
    # as the process keeps and reuses that memory across calls (BENCHMARKS.md). Winograd's extra
    # buffers are XLA's direct ones plus terms whose growth test_estimate_grows... checks: one size.
    # With remat they were counted once, and the estimate was 0.58 of XLA's count at 128 px.
    # Measured (jax 0.10.2, CPU, 64-512 px, max and avg pooling, remat or not): 0.83-1.29 of it, the
    # least Winograd with remat at 64 px; here 0.92 (direct, 64 px) to 1.04, so ~10% lower slips through.
    for size in (64, 128) if conv == "direct" else (128,):
        fun, x, _ = bench_setup.setup(size, config=bench_setup.PAPER.replace(conv=conv, remat=remat))
        measured = bench_setup.compile_gradient(fun, x).memory_analysis().temp_size_in_bytes
        ratio = footprint.evaluation_bytes(size, size, remat=remat, conv=conv) / measured
        assert 0.8 <= ratio <= 1.5, (size, measured)


@pytest.mark.parametrize("layer", ["relu1_1", "relu2_1"])
def test_estimate_covers_a_loss_of_shallow_layers_only(layer):
    # Backprop through stage 1 holds its activations and two cotangents of relu1_1's size, more
    # than a shallow network's forward pass: the estimate was 0.72 (relu1_1) and 0.78 (relu2_1) of
    # XLA's count at 256 px, 0.59 and 0.71 at 512 px, so a large run could pass the check and not fit.
    config = bench_setup.PAPER.replace(conv="direct", style_layers=(layer,), content_layers=(layer,))
    fun, x, _ = bench_setup.setup(256, config=config)
    measured = bench_setup.compile_gradient(fun, x).memory_analysis().temp_size_in_bytes
    ratio = footprint.evaluation_bytes(256, 256, layers=(layer,), conv="direct") / measured
    assert 0.8 <= ratio <= 1.5, measured


def test_estimate_grows_with_pixels_and_depth():
    small, large = (footprint.evaluation_bytes(s, s, conv="direct") for s in (256, 512))
    assert 3.0 < (large - footprint.FIXED_BYTES) / (small - footprint.FIXED_BYTES) <= 4.0 + 1e-6
    shallow = footprint.evaluation_bytes(512, 512, layers=("relu1_1",), conv="direct")
    assert shallow < 0.6 * large  # XLA counted 192 and 349 MiB (VGG19, 2026-12-05)
    # Winograd's transformed kernels are a fixed cost; its transforms grow with the pixels.
    extra = [footprint.evaluation_bytes(s, s, conv="winograd") - footprint.evaluation_bytes(s, s, conv="direct")
             for s in (64, 512, 1024)]
    assert 36 * 2**20 < extra[0] < extra[1] < extra[2] < 200 * 2**20
    assert footprint.evaluation_bytes(512, 512, layers=("relu1_2",), conv="winograd") == \
        footprint.evaluation_bytes(512, 512, layers=("relu1_2",), conv="direct")
    # "auto" (on CPU) leaves a 32 px image's small deep layers to XLA and takes them all at 512 px.
    if jax.default_backend() == "cpu":
        assert footprint.evaluation_bytes(32, 32, conv="auto") == footprint.evaluation_bytes(32, 32, conv="direct")
        assert footprint.evaluation_bytes(512, 512, conv="auto") == footprint.evaluation_bytes(512, 512, conv="winograd")


def test_check_names_a_size_that_fits_the_photos_shape():
    config, wide = StyleConfig(size=512), (300, 600)  # the photo as read: 2:1, resized to 512x256
    need = memory.check(config, photo=wide, available=10**12)
    free = need - 1
    with pytest.raises(InputError, match=r"^a 512x256 px run needs about .* GiB .* use --size \d+ or smaller$") as e:
        memory.check(config, photo=wide, available=free)
    fits = int(str(e.value).split("--size ")[1].split()[0])
    assert 16 <= fits < 512
    memory.check(config.replace(size=fits), photo=wide, available=free)  # the size it names fits
    with pytest.raises(InputError):
        memory.check(config.replace(size=fits + 1), photo=wide, available=free)
    # Not known, the photo is a square of --size, the most it can be: a wide photo needs less.
    assert memory.check(config, available=10**12) > need
    with pytest.raises(InputError, match="more memory"):
        memory.check(config, available=footprint.RUNTIME_BYTES)


def test_a_large_style_scale_counts_and_the_hint_names_a_scale_that_fits():
    # The painting's targets (a VGG pass at its own size) can set the run's peak: at --size 256,
    # --style-scale 8 takes The Starry Night's shape to 2048x1280 px.
    photo, painting = (768, 1024), (640, 1024)
    plain, large = StyleConfig(size=256), StyleConfig(size=256, style_scale=8.0)
    small = memory.check(plain, photo=photo, paintings=[painting], available=10**12)
    need = memory.check(large, photo=photo, paintings=[painting], available=10**12)
    assert need > footprint.targets_bytes(1280, 2048) > 4 * small
    with pytest.raises(InputError, match=r"^a 256x192 px run with the painting at 2048x1280 px needs about .* "
                                         r"use --style-scale [\d.]+ or smaller$") as e:
        memory.check(large, photo=photo, paintings=[painting], available=need - 1)
    scale = float(str(e.value).split("--style-scale ")[1].split()[0])
    assert 1.0 < scale < 8.0
    memory.check(large.replace(style_scale=scale), photo=photo, paintings=[painting], available=need - 1)
    with pytest.raises(InputError):
        memory.check(large.replace(style_scale=scale + 0.01), photo=photo, paintings=[painting], available=need - 1)


_TARGETS_CHILD = """
import jax, numpy as np
from jaxart import bench_memory, random_weights, targets
from jaxart.config import StyleConfig
w = random_weights(jax.random.PRNGKey(0), "vgg19")
painting = np.random.default_rng(0).random(({h}, {w}, 3), dtype=np.float32)
photo = np.zeros((32, 32, 3), np.float32)
config = StyleConfig(size=32)
targets.compute_targets(w, photo, [painting[:32, :32]], config)  # compiles everything small first
bench_memory._release_free_memory()
print(bench_memory.peak_growth(lambda: jax.block_until_ready(targets.compute_targets(w, photo, [painting], config))))
"""


@pytest.mark.parametrize("masked", [False, True])
def test_targets_one_image_at_a_time_equal_the_pure_function(tiny_vgg16, rng, masked):
    # What a run computes (one compiled program per image, for its memory) is `make_targets`.
    photo = rng.random((20, 28, 3), dtype=np.float32)
    paintings = [rng.random(shape, dtype=np.float32) for shape in ((24, 24, 3), (16, 40, 3))]
    config = StyleConfig(size=28, style_blend=None if masked else (0.7, 0.3))
    masks = np.stack([np.tri(20, 28, 5), 1 - np.tri(20, 28, 5)]).astype(np.float32) if masked else None
    pure = make_targets(tiny_vgg16, photo, paintings, config, masks)
    staged = compute_targets(tiny_vgg16, photo, paintings, config, masks)
    assert jax.tree.structure(staged) == jax.tree.structure(pure)
    for a, b in zip(jax.tree.leaves(staged), jax.tree.leaves(pure)):  # float32 rounding, on the Gram's scale
        b = np.asarray(b)
        np.testing.assert_allclose(np.asarray(a), b, rtol=1e-4, atol=1e-6 * max(1.0, np.abs(b).max()))


def test_targets_estimate_covers_a_paintings_measured_peak():
    # A fresh process, so that its peak resident memory grows with this painting's VGG pass alone.
    # It grew by 360 MiB, or by 600-645 MiB where the kernel backed XLA's buffers with huge pages
    # (2026-12-02, transparent_hugepage=madvise); the estimate must cover both.
    h, w = 512, 768
    code = _TARGETS_CHILD.format(h=h, w=w)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    measured = int(out.stdout.split()[-1])
    assert measured <= footprint.targets_bytes(h, w) <= 2.5 * measured, measured


_RUN_CHILD = """
import runpy, sys
from jaxart import bench_memory
sys.argv = ["cli.py", "stylize", *{args!r}]
def run():
    try:
        runpy.run_path({cli!r}, run_name="__main__")
    except SystemExit as e:
        assert not e.code, e.code
before = bench_memory._rss_now()
print(before + bench_memory.peak_growth(run))
"""


@pytest.mark.slow
@pytest.mark.parametrize("conv", ["auto", "direct"])
def test_a_real_runs_peak_is_what_the_memory_check_estimates(tmp_path, hed_weights, conv):
    # The whole CLI run in a fresh process: targets, compiling (Winograd's programs leave more
    # resident), 3 steps and the output. 512 px peaked at 1148 MiB (auto) and 1023 MiB (direct)
    # against estimates of 1205 and 1050 MiB (2026-12-02).
    from PIL import Image

    photo, painting = shared_image("content/tubingen.jpg"), shared_image("style/starry_night.jpg")
    args = [str(photo), str(painting), "--size", "512", "--steps", "3", "--model", "vgg16-hed", "--conv", conv,
            "--output", str(tmp_path / "o.png"), "--quiet"]
    code = _RUN_CHILD.format(args=args, cli=str(Path(cli.__file__).resolve()))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True)
    peak = int(out.stdout.split()[-1])
    shapes = [Image.open(p).size[::-1] for p in (photo, painting)]
    estimate = footprint.files_bytes(StyleConfig(size=512, conv=conv), "vgg16", shapes[0], shapes[1:])
    assert peak <= estimate <= 1.3 * peak, (peak / 2**20, estimate / 2**20)


def test_lbfgs_memory_counts_in_the_estimate_and_the_hint():
    default, long = StyleConfig(size=512), StyleConfig(size=512, lbfgs_memory=100)
    image = 544 * 544 * 3 * 4  # the state is of the image inside its 16 px margin
    assert footprint.run_bytes(512, 512, long) - footprint.run_bytes(512, 512, default) == 2 * 90 * image
    with pytest.raises(InputError, match=r"use --lbfgs-memory 10$"):
        memory.check(long, available=memory.check(default, available=10**12))


def test_the_estimate_counts_the_margin_the_image_is_optimized_in():
    plain, framed = StyleConfig(size=512, margin=0), StyleConfig(size=512, margin=8)
    assert footprint.run_bytes(512, 384, framed) == footprint.run_bytes(528, 400, plain)


@pytest.mark.parametrize("config", [StyleConfig(lbfgs_memory=3), StyleConfig(lbfgs_memory=20),
                                    StyleConfig(optimizer="adam")], ids=["lbfgs3", "lbfgs20", "adam"])
def test_optimizer_state_is_what_the_estimate_counts(config):
    # What a step carries to the next (the image and the optimizer's state) and the gradient beside
    # them: exactly the image-sized vectors the estimate counts. Adam's was counted as L-BFGS's
    # last image and update too, two vectors it does not keep.
    x = jnp.zeros((32, 48, 3))
    carry = optimize.init_carry(lambda y: (jnp.sum(y), None), transfer.optimizer(config), x)
    vectors = sum(a.size // x.size for a in jax.tree.leaves(carry))
    assert footprint.optimizer_bytes(32, 48, config) == (vectors + 1) * x.nbytes


def test_region_masks_count_in_the_estimate_per_region_as_their_arrays_do():
    """--mask was left out: Tubingen at 512 px with a 1024x768 mask of 3 regions peaked at 1571-1627
    MiB (vgg16-hed, 3 steps, /usr/bin/time -v), estimated 1236 MiB, so a run the check let through
    could run out of memory. Matching the mask block by block, it peaks at 1470 MiB, and 1508 MiB
    with a 4000x3000 mask."""
    photo, paintings = (768, 1024), [(640, 1024)] * 3

    def estimate(regions: int, size: int = 512) -> int:
        config = StyleConfig(size=size, mask="mask.png" if regions else None,
                             region_colors=("red", "lime", "blue")[:regions] or None)
        return footprint.files_bytes(config, "vgg16", photo, paintings)

    added = [estimate(r) - estimate(0) for r in (1, 2, 3)]
    region = added[1] - added[0]
    assert added[2] - added[1] == region  # each region its own Grams and masked features
    # the mask, drawn at the photo's size, as decoded and as float32 RGB while it is matched: 15 bytes
    # a pixel; each region 4 more, its float32 regions at that size (check_mask measured 215-293 MiB
    # at 4000x3000 with 1-3 regions)
    assert 15 * math.prod(photo) <= added[0] - region <= 20 * math.prod(photo)
    layers = StyleConfig().style_layers
    w = jax.eval_shape(lambda: random_weights(jax.random.PRNGKey(0), "vgg16"))
    image = jax.ShapeDtypeStruct((416, 544, 3), jnp.float32)  # 512 px inside the 16 px margin
    feats = jax.eval_shape(lambda w, x: vgg.features(w, x, layers), w, image).values()
    grams, masks, masked = (sum(4 * n for n in each) for each in zip(*((f.shape[2] ** 2, f.shape[0] * f.shape[1],
                                                                        math.prod(f.shape)) for f in feats)))
    assert region - 4 * math.prod(photo) >= grams + masks + footprint.MASKED * masked
    assert estimate(1, 512) - estimate(1, 256) > (estimate(0, 512) - estimate(0, 256)) + masked / 4
    assert 1508 * 2**20 <= estimate(3) <= 1.25 * 1508 * 2**20


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


def test_cli_refuses_a_painting_too_large_to_fit_and_names_a_style_scale(tmp_path):
    content, style = shared_image("content/tubingen.jpg"), shared_image("style/starry_night.jpg")
    out = tmp_path / "out.png"
    # The photo alone fits easily at 256 px; The Starry Night (1024x640) at 60 times that does not.
    result = CliRunner().invoke(cli.app, [
        "stylize", str(content), str(style), "--size", "256", "--style-scale", "60", "--model", "vgg19",
        "--output", str(out)], catch_exceptions=True)
    assert result.exit_code != 0
    message = str(result.exception)
    assert message.startswith("a 256x192 px run with the painting at 15360x9600 px needs about"), message
    scale = float(message.split("--style-scale ")[1].split()[0])
    assert 1.0 <= scale < 60
    assert not out.exists()


def test_remat_gives_the_same_loss_and_gradient(tiny_weights, rng):
    pooling = "avg" if tiny_weights.arch == "vgg16" else "max"
    content, style, x = (rng.random((32, 24, 3), dtype=np.float32) for _ in range(3))
    results = []
    for remat in (False, True):
        config = StyleConfig(size=32, pooling=pooling, remat=remat)
        targets = make_targets(tiny_weights, content, [style], config)
        fun = objective.loss_function(tiny_weights, targets, config, objective.LossWeights.of(config))
        results.append(jax.jit(jax.value_and_grad(fun, has_aux=True))(jnp.asarray(x)))
    (v0, _), g0 = results[0]
    (v1, _), g1 = results[1]
    assert float(v1) == pytest.approx(float(v0), rel=1e-5)
    np.testing.assert_allclose(np.asarray(g1), np.asarray(g0), rtol=1e-4, atol=1e-6 * float(jnp.abs(g0).max()))


def test_remat_features_match_for_every_layer(tiny_vgg16, rng):
    image = rng.random((2, 20, 20, 3), dtype=np.float32)
    layers = ("conv1_1", "relu2_2", "pool3", "relu4_1", "conv5_3")
    # Biases of real weights' size: random_weights' are zero, which hid a bias the remat pass dropped.
    w = tiny_vgg16.replace(params={n: {**p, "bias": rng.normal(0, 0.1, p["bias"].shape).astype(np.float32)}
                                   for n, p in tiny_vgg16.params.items()})
    plain, remat = (vgg.features(w, image, layers, remat=r) for r in (False, True))
    for k in layers:
        np.testing.assert_allclose(np.asarray(remat[k]), np.asarray(plain[k]), rtol=1e-5, atol=1e-5)


def test_remat_must_be_a_bool():
    with pytest.raises(ValueError, match="remat must be true or false"):
        StyleConfig(remat="yes").validate()


def test_a_run_that_needs_exactly_the_free_memory_is_allowed():
    config = StyleConfig(size=256)
    need = memory.check(config, available=10**12)
    assert memory.check(config, available=need) == need


def test_free_memory_on_an_accelerator_is_its_limit_less_what_is_in_use(monkeypatch):
    class Device:
        platform = "gpu"

        def memory_stats(self):
            return {"bytes_limit": 16 * 2**30, "bytes_in_use": 10 * 2**30}

    monkeypatch.setattr(memory.jax, "devices", lambda: [Device()])
    assert memory.available_bytes() == 6 * 2**30


def test_free_memory_on_cpu_is_in_bytes_between_the_free_and_the_total_ram():
    page = os.sysconf("SC_PAGE_SIZE")
    free, total = os.sysconf("SC_AVPHYS_PAGES") * page, os.sysconf("SC_PHYS_PAGES") * page
    assert 0.5 * free <= memory.available_bytes() <= total  # other processes move MemFree meanwhile


def test_the_size_advice_never_names_a_size_that_leaves_the_painting_under_16_px():
    config = StyleConfig(size=4000, style_scale=1 / 161)  # at 2576 px the painting is 15.999... px
    config.validate()
    assert memory.size_hint(config, (4000, 4000), lambda c: c.size <= 2576, "--size") == "a machine with more memory"
    hint = memory.size_hint(config, (4000, 4000), lambda c: c.size <= 2577, "--size")
    config.replace(size=int(hint.split()[1])).validate()


@pytest.mark.parametrize("size", [256, 512])
def test_a_winograd_run_is_estimated_at_least_what_real_runs_took_more(size):
    """Real runs peaked 104-231 MiB higher with Winograd convolutions at 256-1024 px (BENCHMARKS.md,
    Winograd), most of it what compiling them left resident."""
    extra = footprint.run_bytes(size, size, StyleConfig(conv="winograd")) - \
        footprint.run_bytes(size, size, StyleConfig(conv="direct"))
    assert extra >= 104 * 2**20


def test_a_larger_painting_file_counts_at_least_its_decoded_pixels():
    """The decoded files stay held for the whole run: a 12 MP painting resized to the same side as a
    0.12 MP one still needs its float32 RGB pixels."""
    config = StyleConfig(size=512)
    small, large = (footprint.files_bytes(config, "vgg16", (384, 512), [p]) for p in [(300, 400), (3000, 4000)])
    assert large - small >= 12 * (3000 * 4000 - 300 * 400)


def test_the_hint_names_the_painting_that_sets_the_peak_not_the_smallest():
    # Both paintings go to the same long side; the square one has more pixels, so its targets set
    # the peak and the message must name its size for the user to know which file to shrink.
    photo, wide, square = (768, 1024), (640, 1024), (800, 800)
    config = StyleConfig(size=256, style_scale=8.0)
    need = memory.check(config, photo=photo, paintings=[wide, square], available=10**12)
    for paintings in ([wide, square], [square, wide]):
        with pytest.raises(InputError, match=r"^a 256x192 px run with the painting at 2048x2048 px needs about .* "
                                             r"use --style-scale [\d.]+ or smaller$"):
            memory.check(config, photo=photo, paintings=paintings, available=need - 1)


def test_winograd_in_stage_1_would_count_the_images_three_channels_into_conv1_1(monkeypatch):
    # Stage 1 runs XLA's convolutions (convs.FROM_STAGE), but were it Winograd's, conv1_1's kernel
    # reads the image's 3 channels, not the 512 of the last stage: conv1_2's 64x64 is the largest.
    monkeypatch.setattr(footprint, "uses_winograd", lambda *a: True)
    shapes = footprint._shapes(64, 64, ("conv1_1", "relu1_1", "conv1_2"))
    output = 4 * (1 + 2 / 4) ** 2 * 64 * 64 * 64
    assert footprint.winograd_bytes(shapes, "winograd") == int(4 * 36 * 64 * 64 + footprint.WORKING * output)
