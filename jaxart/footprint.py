"""A run's peak memory, estimated from its settings and its files' shapes before any weights load.

A run's peak is the largest of its phases. Before anything compiles: resizing its files to the run's size
(`sizing_bytes`), which sets it for a photo over about 36 megapixels at 64 px (97 at 512 px), and, with a region
mask, reading it and matching its colours (`mask_bytes`): a large mask, drawn at a camera's size, can set it.
Then the targets: one VGG forward pass per image, each its own program, so the largest painting at its
`--style-scale` size sets it (`targets_bytes`). Then the optimization: the optimizer's state and one
loss+gradient evaluation per image being optimized (`image_bytes`). Before all of these the files are
decoded (`decode_memory.decoding_bytes`), which only a dry run, estimating before it decodes them, counts. An
`--init` image is decoded after the check, once the weights are loaded (`decode_memory.init_bytes`): the check
(`memory.check_init`) and the dry run count it apart from this estimate.

The evaluation counts the float32 activations a gradient w.r.t. the image keeps for backprop:
one tensor per convolution (its ReLU output) and one per pooling, plus the working buffers of
the backward pass (`WORKING` of the largest tensor); or, where that is more (a loss of shallow
layers only), the largest tensors' stage and two cotangents of their size. With `remat` each
stage is recomputed during backprop, so only stage boundaries and the layers a loss reads stay,
plus one stage at a time. Winograd convolutions (convs.CONVS) add one layer's transformed kernel
and half of its transformed output (`winograd_bytes`), with remat or not; region masks their
copies of the style layers (`regions_bytes`). `OVERHEAD` (XLA's temporaries, fitted at 64-512 px on
CPU, and real runs' peaks to 2048 px) scales the sum; BENCHMARKS.md compares the estimate with XLA's
count. On CPU remat lowers that count only 5% (366 -> 346 MB at 512 px).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from jaxart import devices, margin, region_styles
from jaxart.config import StyleConfig
from jaxart.convs import TILE, uses_winograd
from jaxart.image import fit, painting_side
from jaxart.layers import CHANNELS, layer_names

WORKING = 0.5  # the backward pass holds about half of its largest tensor more
# Fitted to XLA CPU's temporary buffers (compiled.memory_analysis()) with the memory-optimized
# scheduler (optimize.compiler_options) and reshape pooling (vgg.pool2x2), VGG19 to relu5_1:
# 16, 32, 98, 366 MB at 64, 128, 256, 512 px, with a 10% margin; see BENCHMARKS.md. Real runs with XLA's
# own convolutions grew ~4.5% of the evaluation more (a 2048 px --conv direct run peaked 6154 MiB, 2%
# over the 1.1's estimate; 2026-12-06, "The memory estimate re-fitted"), so 20%.
OVERHEAD = 1.2
FIXED_BYTES = 8 * 2**20
WEIGHTS_BYTES = 4 * 20_024_384  # VGG19's convolution parameters, float32 (an upper bound for VGG16)
# Python, jaxlib and the compiled programs: 3-step vgg16-hed runs at 256-2048 px peaked up to 572 MiB above the
# rest of the estimate (2026-12-06, BENCHMARKS.md): --conv direct on a quiet machine, where its compiles took
# under compile_memory's threshold, then 1 s, and nothing was trimmed (512 px: 1019-1075 MiB quiet, 919 loaded);
# trimmed, 416. At 0.2 s since, such runs peak 911-936 MiB: the margin stays for a machine that compiles faster.
RUNTIME_BYTES = 620 * 2**20
# Compiling Winograd's programs leaves more resident than `winograd_bytes` counts at small sizes: at 256 px real
# runs peaked 51 MiB (auto) and 58 MiB (--conv winograd) higher than with XLA's convolutions, 30 and 4 MiB more
# than `winograd_bytes` (with OVERHEAD); at 512-1536 px 20-198 MiB higher, less than it (BENCHMARKS.md, "The
# memory estimate re-fitted"). Before compile_memory's malloc_trim, compiling them left 154-166 MiB.
WINOGRAD_COMPILE_BYTES = 32 * 2**20
# A VGG pass for targets (one image, memory-optimized scheduler) lifted resident memory by up
# to 6.7 times its largest activation (the first block's 64 channels at full size), paintings
# of 768x512 to 2048x1280 px, where the kernel backed XLA's buffers with transparent huge pages,
# and by 3.8 times where it did not (XLA's own count: 4); with a 10% margin.
TARGETS = 7.5
INPUT_BYTES = 12  # per pixel of each decoded input file, held for the whole run (float32 RGB)
# Region masks (--mask): 3-step runs at 256 and 512 px (vgg16-hed, a 1024x768 mask of 1-3 regions)
# peaked 72-73, 279 and 315-421 MiB higher with 1, 2 and 3 regions (XLA's count at 512 px: +4, +64,
# +170 MiB), but then matching the mask's colours took ~120 bytes a pixel a region. Matched block by
# block, the 512 px run with 3 regions peaked at 1470 MiB (1508 with a 4000x3000 mask), which each
# region's masked copies of the style layers' activations, as large as those layers, cover.
MASKED = 1.0
# Reading a mask and matching its colours (mask_regions.scaled_masks, block by block) comes before anything
# compiles, and what it holds is freed before the targets: the run's peak is the larger, not the sum (the sum was
# 1.5-1.7 times the peak of 256-512 px runs with a 4000x3000 mask, 1.7-2.0 times with a 6000x4500 one).
# It lifted peak RSS by 16-22 bytes a mask pixel (3-step vgg16-hed runs at 256-512 px, masks of 0.8-27 megapixels,
# 2-3 regions, and a fresh process's first check; BENCHMARKS.md, "Region masks in the memory estimate"): the float32
# copy (12) beside the 8-bit array it came from (3), tracemalloc's 15, and Pillow's decoded file (4, RGB) on its
# own heap. The regions come out at the mask's height and the run's width, float32, and jax.image.resize copies
# them: 8 bytes a region a pixel of that. Python, jaxlib, the weights and what the CLI's check of the mask left
# took 331-458 MiB beside the decoded photo and paintings then (421 with a warm compile cache).
MASK_PIXEL_BYTES = 22
REGION_PIXEL_BYTES = 8
LOADED_BYTES = 480 * 2**20
# Sizing the files (inputs.prepared_inputs, after the check): each resized one channel at a time (image.resized), a
# C-contiguous copy of the channel beside Pillow's float image of it, beside the files held, Python, jaxlib and the
# weights (`LOADED_BYTES`; 296 MiB then). A 12000x9000 PNG's 64 px run peaked there, 7.85 bytes a pixel over what it
# held, three times (2026-12-07; BENCHMARKS.md, "Decoding in the dry run's figure").
SIZING_BYTES = 8


def _shapes(height: int, width: int, names: Sequence[str]) -> dict[str, tuple[int, int, int]]:
    """(h, w, C) of every activation in `names` for an (height, width) image."""
    out = {}
    for name in names:
        b = int(name[4])
        h, w = height >> (b - 1), width >> (b - 1)
        out[name] = (h // 2, w // 2, CHANNELS[b - 1]) if name.startswith("pool") else (h, w, CHANNELS[b - 1])
    return out


def _network(arch: str, layers: Sequence[str]) -> tuple[str, ...]:
    """The activations computed to reach `layers`: every one up to the deepest."""
    order = layer_names(arch)
    return order[: max(order.index(k) for k in layers) + 1]


def evaluation_bytes(height: int, width: int, arch: str = "vgg19", layers: Sequence[str] = StyleConfig().style_layers
                     + StyleConfig().content_layers, remat: bool = False, conv: str = StyleConfig.conv) -> int:
    """Estimated peak bytes of one loss+gradient evaluation beyond weights and runtime.

    Args:
      height, width: the image size in pixels.
      arch: "vgg16" or "vgg19".
      layers: the activation names the loss reads; the network runs up to the deepest.
      remat: whether each stage is checkpointed (`StyleConfig.remat`).
      conv: how the convolutions are computed (`StyleConfig.conv`).

    Returns:
      Bytes, about the growth of peak resident memory that one evaluation causes.
    """
    names = _network(arch, layers)
    shapes = _shapes(height, width, names)
    nbytes = {k: 4 * h * w * c for k, (h, w, c) in shapes.items()}
    stored = [k for k in names if not k.startswith("conv")]  # what backprop reads: ReLU and pool outputs
    # With remat or without, XLA's count rises by 34-37 MiB over its own convolutions' at 64-256 px (VGG19,
    # 2026-12-06, the transforms as one product each); the factorised transforms before held twice that with remat.
    extra = winograd_bytes(shapes, conv)
    largest = max(nbytes.values())
    if not remat:
        # Backprop through the largest tensors' stage holds its activations and two cotangents of
        # their size: more than the forward pass's where the loss reads only shallow layers (relu1_1
        # alone: XLA counted 3 times its size, the forward pass 1.5 times).
        first = int(max(nbytes, key=nbytes.get)[4])
        backward = sum(nbytes[k] for k in stored if int(k[4]) <= first) + 2 * largest
        return FIXED_BYTES + int(OVERHEAD * (max(sum(nbytes[k] for k in stored) + WORKING * largest, backward) + extra))
    kept = sum(nbytes[k] for k in set(layers) | {k for k in names if k.startswith("pool")})
    stage = max(
        sum(nbytes[k] for k in stored if int(k[4]) == b) + WORKING * max(nbytes[k] for k in names if int(k[4]) == b)
        for b in {int(k[4]) for k in names}
    )
    return FIXED_BYTES + int(OVERHEAD * (kept + stage + extra))


def _winograd_convs(shapes: dict[str, tuple[int, int, int]], conv: str) -> list[str]:
    """The convolutions among `shapes` that run by Winograd under `conv`."""
    # The platform asked once, not per layer: without JAX (a dry run) each answer looks through the installed packages.
    on = devices.platform() if conv == "auto" else None
    return [k for k, (h, w, c) in shapes.items()
            if k.startswith("conv") and uses_winograd(conv, int(k[4]), c, h * w, on)]


def winograd_bytes(shapes: dict[str, tuple[int, int, int]], conv: str) -> int:
    """What Winograd convolutions hold beyond XLA's own: the largest transformed kernel ((TILE + 2)**2
    x Cin x Cout floats) and `WORKING` of the largest transformed output, (1 + 2 / TILE)**2 times
    the layer's output (XLA's count: +41-45 MiB at 64-512 px, +146 MiB at 1024 px, VGG19, 2026-12-05; +34-37 MiB at
    64-256 px since the transforms of 2026-12-06)."""
    convs = _winograd_convs(shapes, conv)
    if not convs:
        return 0
    inputs = (3, *CHANNELS)  # a stage's first convolution reads the stage before's channels, stage 1's the image's
    widths = [inputs[int(k[4]) - 1] if k.endswith("_1") else CHANNELS[int(k[4]) - 1] for k in convs]
    kernel = max(4 * (TILE + 2) ** 2 * cin * shapes[k][2] for k, cin in zip(convs, widths))
    output = max(4 * (1 + 2 / TILE) ** 2 * math.prod(shapes[k]) for k in convs)
    return int(kernel + WORKING * output)


def optimizer_bytes(height: int, width: int, config: StyleConfig) -> int:
    """The optimizer's state in bytes: the image-sized float32 vectors its state carries from step
    to step (L-BFGS: 2 per memory pair, the last image and the update; Adam: its two moments),
    plus the image and its gradient."""
    vectors = 2 * config.lbfgs_memory + 2 if config.optimizer == "lbfgs" else 2
    return (vectors + 2) * 4 * height * width * 3


def image_bytes(height: int, width: int, config: StyleConfig, arch: str = "vgg19") -> int:
    """What each image being optimized needs: its optimizer state and one evaluation, of an
    (height, width) output inside its margin (`StyleConfig.margin`, margin.py)."""
    h, w, _ = margin.padded_shape((height, width, 3), config.margin)
    layers = config.content_layers + config.style_layers
    evaluation = evaluation_bytes(h, w, arch, layers, config.remat, config.conv) + regions_bytes(h, w, config)
    return optimizer_bytes(h, w, config) + evaluation


def regions_bytes(height: int, width: int, config: StyleConfig) -> int:
    """What `config.mask`'s regions add to an evaluation of an (height, width) image: per region,
    its (C, C) Gram and (h, w) mask at each style layer, and `MASKED` of the layer's activation."""
    regions = len(config.region_colors or ()) if config.mask else 0
    shapes = _shapes(height, width, config.style_layers).values()
    return regions * int(sum(4 * (c * c + h * w) + MASKED * 4 * h * w * c for h, w, c in shapes))


def grams_bytes(config: StyleConfig) -> int:
    """One set of style targets: a (C, C) float32 Gram per style layer. A sweep whose settings paint with
    their own (several paintings or style scales) holds one set per setting: 2.3 MiB at the default
    layers, a tenth of what an image at 64 px needs besides."""
    return sum(4 * CHANNELS[int(k[4]) - 1] ** 2 for k in config.style_layers)


def targets_bytes(height: int, width: int) -> int:
    """Estimated peak bytes of one image's targets: a VGG forward pass of an (height, width) image."""
    return FIXED_BYTES + int(TARGETS * 4 * height * width * CHANNELS[0])


def run_bytes(height: int, width: int, config: StyleConfig, arch: str = "vgg19",
              paintings: Sequence[tuple[int, int]] = (), images: int = 1) -> int:
    """Estimated peak bytes of a run with an (height, width) output: runtime, what compiling
    leaves resident, weights, and the larger of the paintings' targets (each given as its
    (height, width) at the run's size) and `images` images' `image_bytes` (a sweep optimizes
    several). The photo's content features took 2.6-3.0 times its largest activation, less than
    its gradient needs, so they never set it."""
    targets = max((targets_bytes(*shape) for shape in paintings), default=0)
    h, w, _ = margin.padded_shape((height, width, 3), config.margin)
    shapes = _shapes(h, w, _network(arch, config.content_layers + config.style_layers))
    compiling = WINOGRAD_COMPILE_BYTES if _winograd_convs(shapes, config.conv) else 0
    return RUNTIME_BYTES + compiling + WEIGHTS_BYTES + max(targets, images * image_bytes(height, width, config, arch))


def files_bytes(config: StyleConfig, arch: str = "vgg19", photo: tuple[int, int] | None = None,
                paintings: Sequence[tuple[int, int]] = (), images: int = 1, mask: tuple[int, int] | None = None) -> int:
    """The decoded files of these (height, width) shapes as read, held for the whole run, plus the largest of
    `run_bytes` (resized as the run resizes them), reading `config.mask` (`mask_bytes`; `mask` its (height,
    width) as read, the photo's if not known) and resizing the files (`sizing_bytes`: a photo over about 36 megapixels
    at 64 px); the photo is a square of `config.size` if not known."""
    photo = photo or (config.size, config.size)
    sides = [fit(p, painting_side(p, config.size, config.style_scale)) for p in paintings]
    inputs = INPUT_BYTES * sum(h * w for h, w in [photo, *paintings])
    height, width = fit(photo, config.size)
    return inputs + max(run_bytes(height, width, config, arch, sides, images), mask_bytes(config, mask or photo, width),
                        sizing_bytes([photo, *paintings]))


def sizing_bytes(files: Sequence[tuple[int, int]]) -> int:
    """Peak bytes, the decoded files aside, as the largest of these (height, width) files as read is resized to the
    run's size: Python, jaxlib and the weights loaded, nothing compiled yet."""
    return LOADED_BYTES + SIZING_BYTES * max(h * w for h, w in files)


def mask_bytes(config: StyleConfig, mask: tuple[int, int], width: int) -> int:
    """Peak bytes, the decoded files aside, as a run reads `config.mask` of (height, width) `mask` and matches its
    colours: Python, jaxlib and the weights loaded, nothing compiled yet; the regions (kept ones too) at the mask's
    height and the run's `width`. 0 without a mask."""
    regions = len(region_styles.colors_of(config)) if config.mask else 0
    if not regions:
        return 0
    return LOADED_BYTES + MASK_PIXEL_BYTES * math.prod(mask) + REGION_PIXEL_BYTES * regions * mask[0] * width
