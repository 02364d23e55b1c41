"""How VGG's 3x3 convolutions are computed: the `CONVS` choices and which layers each sends to Winograd."""

from __future__ import annotations

import functools
from collections.abc import Sequence

# The choices (`uses_winograd` applies them): XLA's own ("direct"), Winograd
# F(4x4, 3x3) (winograd.py) in every layer from stage FROM_STAGE on ("winograd"; with the
# gradient's products in bfloat16: "winograd-bf16"), or "auto": Winograd where it was measured to
# pay, on CPU in layers of at least AUTO_FROM channels and output pixels (BENCHMARKS.md,
# Winograd), with bfloat16 gradients where the CPU has bfloat16 instructions
# (`gradient_products`, `bfloat16_pays`); XLA's own on GPU and TPU, whose libraries choose.
CONVS = ("auto", "direct", "winograd", "winograd-bf16")
FROM_STAGE = 2
AUTO_FROM = (128, 32 * 32)
TILE = 4  # Winograd's outputs per tile side (winograd.py); each reads a (TILE + 2)-pixel input tile


def uses_winograd(conv: str, stage: int, channels: int, pixels: int, platform: str | None = None) -> bool:
    """Whether a layer of `stage` (1-5) with `channels` outputs over `pixels` (h x w) runs by Winograd
    under the `CONVS` choice `conv` on `platform` (None: `devices.platform()`'s, asked here). "auto" leaves
    small layers to XLA: there the kernel transform, done in every evaluation, costs more than the products save."""
    check(conv)
    if conv == "auto":
        from jaxart import devices  # JAX's backend, without importing JAX where only the CPU is there (a dry run)

        return (platform or devices.platform()) == "cpu" and channels >= AUTO_FROM[0] and pixels >= AUTO_FROM[1]
    return conv != "direct" and stage >= FROM_STAGE


def gradient_products(conv: str) -> str:
    """The dtype of the Winograd layers' products in the image gradient under the `CONVS` choice
    `conv`: "bfloat16" for "winograd-bf16", and for "auto" where `bfloat16_pays()`."""
    check(conv)
    fast = conv == "winograd-bf16" or conv == "auto" and bfloat16_pays()
    return "bfloat16" if fast else "float32"


BFLOAT16_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})  # CPU flags with fast bfloat16 products


def bfloat16_pays(cpuinfo: str | None = None) -> bool:
    """Whether bfloat16 products pay on this machine: a CPU backend on a CPU with bfloat16
    instructions, AMX's tiles or AVX512-BF16 (the `amx_bf16` or `avx512_bf16` flag of Linux's
    /proc/cpuinfo, or of the text `cpuinfo`). XLA multiplied bfloat16 matrices 4.1-4.8x as fast
    as float32 ones with AMX (a Xeon) and 1.6-1.8x with AVX512-BF16 (AMD Zen 4), where an
    evaluation with bfloat16 gradients took 0.86-0.94x the time; without either it was not
    measured. The backend is JAX's, asked without importing JAX where only the CPU is there
    (`devices.platform`: `info --command` asks this of a record)."""
    if cpuinfo is None:
        from jaxart import devices

        if devices.platform() != "cpu":
            return False
        cpuinfo = _cpu_flags_line()
    flags = next((line.split(":", 1)[-1] for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    return not BFLOAT16_FLAGS.isdisjoint(flags.split())


@functools.cache
def _cpu_flags_line() -> str:
    """The first `flags` line of /proc/cpuinfo ("" where there is none), read once per process:
    `bfloat16_pays` is asked once per Winograd layer whenever a network is traced."""
    try:
        with open("/proc/cpuinfo") as f:
            return next((line for line in f if line.startswith("flags")), "")
    except OSError:
        return ""


def run_gradient(conv: str, widths: Sequence[int], shape: Sequence[int], stages: int) -> str:
    """The dtype the image gradient's products had in a run: `gradient_products(conv)` if any of
    its convolutions ran by Winograd, else "float32" (say, at sizes too small for any). `widths`
    are the output channels of stages 1-5, `shape` the (height, width) the network saw, margin
    included, and `stages` how many of them the loss ran."""
    height, width = shape[:2]
    winograd = any(uses_winograd(conv, b, widths[b - 1], (height >> (b - 1)) * (width >> (b - 1)))
                   for b in range(1, stages + 1))
    return gradient_products(conv) if winograd else "float32"


def check(conv: str) -> None:
    """Raise a ValueError unless `conv` is one of `CONVS`."""
    if conv not in CONVS:
        raise ValueError(f"conv {conv!r} is not supported; use one of {', '.join(CONVS)}")


def conv_for(conv: str, stage: int, channels: int, pixels: int):
    """The convolution such a layer uses (None: flax's default, XLA's own)."""
    if not uses_winograd(conv, stage, channels, pixels):
        return None
    from jaxart import winograd

    return functools.partial(winograd.conv_general_dilated, gradient=gradient_products(conv))
