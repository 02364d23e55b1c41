"""The memory estimate (footprint) against what XLA's compiled programs, a painting's targets and real
runs measured, and what each setting adds to it."""

import math
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import pytest

import cli
from conftest import shared_image
from jaxart import bench_setup, footprint, optimize, transfer, vgg
from jaxart.config import StyleConfig
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
    # jax 0.11.2 held every transformed kernel of a checkpointed stage at once (0.30 at 128 px), until
    # winograd._forward's barrier; since then 0.96-1.34 here, under 0.10.2 0.96-1.21 (BENCHMARKS.md, "jax 0.11.2").
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
    assert 36 * 2**20 < extra[0] < extra[1] < extra[2] < 240 * 2**20  # XLA counted +146 MiB at 1024 px
    assert footprint.evaluation_bytes(512, 512, layers=("relu1_2",), conv="winograd") == \
        footprint.evaluation_bytes(512, 512, layers=("relu1_2",), conv="direct")
    # "auto" (on CPU) leaves a 32 px image's small deep layers to XLA and takes them all at 512 px.
    if jax.default_backend() == "cpu":
        assert footprint.evaluation_bytes(32, 32, conv="auto") == footprint.evaluation_bytes(32, 32, conv="direct")
        assert footprint.evaluation_bytes(512, 512, conv="auto") == footprint.evaluation_bytes(512, 512, conv="winograd")


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
    # resident), 3 steps and the output. 512 px peaked at 911-939 MiB (auto) and 919-1075 MiB (direct)
    # against estimates of 1235 and 1123 MiB (2026-12-06, after compile_memory's malloc_trim).
    from PIL import Image

    photo, painting = shared_image("content/tubingen.jpg"), shared_image("style/starry_night.jpg")
    args = [str(photo), str(painting), "--size", "512", "--steps", "3", "--model", "vgg16-hed", "--conv", conv,
            "--output", str(tmp_path / "o.png"), "--quiet"]
    code = _RUN_CHILD.format(args=args, cli=str(Path(cli.__file__).resolve()))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True)
    peak = int(out.stdout.split()[-1])
    shapes = [Image.open(p).size[::-1] for p in (photo, painting)]
    estimate = footprint.files_bytes(StyleConfig(size=512, conv=conv), "vgg16", shapes[0], shapes[1:])
    assert peak <= estimate <= 1.4 * peak, (peak / 2**20, estimate / 2**20)


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
    could run out of memory. Matching the mask block by block, it peaked at 1470 MiB, and 1508 MiB
    with a 4000x3000 mask; with compile_memory's malloc_trim at 1242-1272 and 1239-1287 MiB (2026-12-06)."""
    photo, paintings = (768, 1024), [(640, 1024)] * 3

    def estimate(regions: int, size: int = 512) -> int:
        config = StyleConfig(size=size, mask="mask.png" if regions else None,
                             region_colors=("red", "lime", "blue")[:regions] or None)
        return footprint.files_bytes(config, "vgg16", photo, paintings)

    added = [estimate(r) - estimate(0) for r in (1, 2, 3)]
    region = added[1] - added[0]
    assert added[2] - added[1] == region  # each region its own Grams and masked features
    # the mask's reading and matching, before the run compiles, sets no peak here (test_mask_memory.py)
    assert added[0] == region
    layers = StyleConfig().style_layers
    w = jax.eval_shape(lambda: random_weights(jax.random.PRNGKey(0), "vgg16"))
    image = jax.ShapeDtypeStruct((416, 544, 3), jnp.float32)  # 512 px inside the 16 px margin
    feats = jax.eval_shape(lambda w, x: vgg.features(w, x, layers), w, image).values()
    grams, masks, masked = (sum(4 * n for n in each) for each in zip(*((f.shape[2] ** 2, f.shape[0] * f.shape[1],
                                                                        math.prod(f.shape)) for f in feats)))
    assert region >= grams + masks + footprint.MASKED * masked
    assert estimate(1, 512) - estimate(1, 256) > (estimate(0, 512) - estimate(0, 256)) + masked / 4
    assert 1272 * 2**20 <= estimate(3) <= 1.3 * 1272 * 2**20


@pytest.mark.parametrize("conv, size, more", [("auto", 256, 51), ("winograd", 256, 58), ("auto", 512, 20)])
def test_a_winograd_run_is_estimated_at_least_what_real_runs_took_more(conv, size, more):
    """3-step vgg16-hed runs of a 1024x768 photo peaked `more` MiB higher with Winograd convolutions than
    with XLA's own (2026-12-06, after compile_memory's malloc_trim; BENCHMARKS.md, "The memory estimate
    re-fitted"), most of it at 256 px what compiling them left resident."""
    height, width = size * 3 // 4, size
    extra = footprint.run_bytes(height, width, StyleConfig(conv=conv), "vgg16") - \
        footprint.run_bytes(height, width, StyleConfig(conv="direct"), "vgg16")
    assert extra >= more * 2**20


def test_a_larger_painting_file_counts_at_least_its_decoded_pixels():
    """The decoded files stay held for the whole run: a 12 MP painting resized to the same side as a
    0.12 MP one still needs its float32 RGB pixels."""
    config = StyleConfig(size=512)
    small, large = (footprint.files_bytes(config, "vgg16", (384, 512), [p]) for p in [(300, 400), (3000, 4000)])
    assert large - small >= 12 * (3000 * 4000 - 300 * 400)


def test_winograd_in_stage_1_would_count_the_images_three_channels_into_conv1_1(monkeypatch):
    # Stage 1 runs XLA's convolutions (convs.FROM_STAGE), but were it Winograd's, conv1_1's kernel
    # reads the image's 3 channels, not the 512 of the last stage: conv1_2's 64x64 is the largest.
    monkeypatch.setattr(footprint, "uses_winograd", lambda *a: True)
    shapes = footprint._shapes(64, 64, ("conv1_1", "relu1_1", "conv1_2"))
    output = 4 * (1 + 2 / 4) ** 2 * 64 * 64 * 64
    assert footprint.winograd_bytes(shapes, "winograd") == int(4 * 36 * 64 * 64 + footprint.WORKING * output)


# Peak RSS of 3-step vgg16-hed runs of tubingen.jpg (1024x768) with starry_night.jpg (1024x640), no compile
# cache, the most of loaded and quiet runs (2026-12-06; BENCHMARKS.md, "The memory estimate re-fitted").
PEAKS_MIB = {(256, "auto"): 668, (256, "direct"): 705, (256, "winograd"): 660, (512, "auto"): 939,
             (512, "direct"): 1075, (1024, "auto"): 2083, (1024, "direct"): 2128, (1536, "auto"): 3883,
             (1536, "direct"): 3909, (2048, "auto"): 6457, (2048, "direct"): 6154}


@pytest.mark.parametrize("size, conv", list(PEAKS_MIB))
def test_the_estimate_covers_each_real_peak_and_not_needlessly_far(size, conv):
    # Under, a run the check let through can crash; far over, it refuses runs that would fit.
    peak = PEAKS_MIB[size, conv] * 2**20
    estimate = footprint.files_bytes(StyleConfig(size=size, conv=conv), "vgg16", (768, 1024), [(640, 1024)])
    assert peak <= estimate <= 1.4 * peak, (estimate / 2**20, peak / 2**20)
