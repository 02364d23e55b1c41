"""Will a run fit? Its estimated peak memory (footprint.py) against the memory this machine (or
accelerator) has free, and, where it will not fit, the options that would make it.

The estimate is of the process's whole peak, but the check comes once the files are decoded: what the process holds
then (`held_bytes`) is in the estimate and no longer in the memory free, so it is taken off the estimate (`fits`),
where it was counted twice. A 24-megapixel 16-bit grey photo's 64 px run held 348 MiB at the check and added
384-398 MiB after it; the check asked 1035 MiB free, where 689 is asked now (BENCHMARKS.md, "What the check holds").
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

from jaxart import devices, footprint, photo_size
from jaxart.byte_sizes import amount
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart.image import fit, painting_side
from jaxart.pixel_limit import host_bytes


def available_bytes() -> int:
    """Memory free for a run: the default device's free memory on GPU/TPU, else MemAvailable."""
    if devices.cpu_only():  # the host's, without the ~2 s of importing JAX (a dry run's)
        return host_bytes()
    import jax  # an accelerator may be present: only JAX can say

    device = jax.devices()[0]
    stats = device.memory_stats() if device.platform != "cpu" else None
    if stats and "bytes_limit" in stats:
        return int(stats["bytes_limit"] - stats.get("bytes_in_use", 0))
    return host_bytes()


def held_bytes(files: Sequence[tuple[int, int]]) -> int:
    """What of a run's estimate this process holds already, out of the host's memory free: its resident memory
    (VmRSS), at most the files of these (height, width) shapes decoded (`footprint.INPUT_BYTES` a pixel) beside what it
    held before decoding them (`decode_memory.DECODE_BASE`), so that a library caller's own data, or memory malloc
    keeps, is not taken for the run's; 0 where /proc does not say."""
    from jaxart.decode_memory import DECODE_BASE

    try:
        with open("/proc/self/status") as f:
            rss = next((int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:")), 0)
    except (OSError, ValueError, IndexError):
        rss = 0
    return min(rss, footprint.INPUT_BYTES * sum(h * w for h, w in files) + DECODE_BASE)


def fits(need: int, free: int, held: int = 0) -> bool:
    """Whether a run whose estimated peak is `need` bytes fits in `free` bytes, `held` of `need` being held by the
    process already (`held_bytes`): what it will still add, `need - held`, at most `free`. The estimate's own
    margins (20% on an evaluation, the runtime's 620 MiB) are the margin: no more was needed (BENCHMARKS.md)."""
    return need - held <= free


def on_host() -> bool:
    """Whether `available_bytes` is the host's memory, where `held_bytes` is: JAX on the CPU. (An accelerator's free
    memory does not count what the process holds on the host.)"""
    return devices.cpu_only() or devices.platform() == "cpu"


def taken_off(held: int) -> int:
    """What of `held` (`held_bytes`) the check takes off the estimate (`fits`): all of it where the memory free is the
    host's (`on_host`), none against an accelerator's."""
    return held if on_host() else 0


def largest(fits: Callable[[int], bool], lo: int, hi: int) -> int:
    """The largest n in [lo, hi] with `fits(n)`, by bisection: `fits` turns false as n grows, and
    `lo` is taken to fit (n may be millions, so no counting down)."""
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid - 1)
    return lo


def check(config: StyleConfig, arch: str = "vgg19", photo: tuple[int, int] | None = None,
          paintings: Sequence[tuple[int, int]] = (), available: int | None = None, flag: str = "size",
          mask: tuple[int, int] | None = None, held: int = 0, content: Path | None = None) -> int:
    """Raise an InputError if a run will not fit in memory; else return the estimated bytes.

    First, as the photo's shape is known here, before any weights load: every scale must leave the
    photo deep enough for the deepest layer (`photo_size.check_photo`). Then the error names what would
    make the run fit: `remat` or the default `lbfgs_memory` where that alone does (not
    `remat` on CPU: XLA's CPU scheduler keeps its peak with remat, BENCHMARKS.md), a smaller
    `style_scale` where the paintings' targets set the peak, else the largest size that fits for
    the photo's shape (with the default `lbfgs_memory` where the size alone cannot), given as
    the settings that set it (`scales`, `start_size`, `flag`), in StyleConfig's words (`too_large`).

    Args:
      config: the run's settings (size, style scale, layers, remat).
      arch: the architecture of the weights that will load.
      photo: the (height, width) of the photo as read, resized to `config.size` as the run
        resizes it; a square of `config.size` (the most it can be) if not known.
      paintings: the (height, width) of each painting as read.
      available: bytes free (default `available_bytes()`).
      flag: the setting the advice names for the size: "size", or a command's own option (bench's --sizes).
      mask: the (height, width) of `config.mask` as read; the photo's if not known.
      held: what of the estimate the process holds already (`held_bytes`), taken off it where `available` is the
        host's memory (`fits`).
      content: the photo's file, decoded again for its alpha where it is transparent (`check_init`).

    A run that fits is refused still where decoding its `--init` image file, or its transparent photo again, will
    not (`check_init`).
    """
    photo = photo or (config.size, config.size)
    photo_size.check_photo(config, photo, flag)
    free = available_bytes() if available is None else available
    need = lambda c: footprint.files_bytes(c, arch, photo, paintings, mask=mask)  # noqa: E731
    own = taken_off(held)
    ok = lambda c: fits(need(c), free, own)  # noqa: E731
    total = need(config)
    if ok(config):
        check_init(config, photo, paintings, free, held, content)
        return total
    height, width = fit(photo, config.size)
    remat, short = config.replace(remat=True), config.replace(lbfgs_memory=StyleConfig.lbfgs_memory)
    if not config.remat and devices.platform() != "cpu" and ok(remat):
        hint = "remat=True"
    elif config.lbfgs_memory > short.lbfgs_memory and ok(short):
        hint = f"lbfgs_memory={short.lbfgs_memory}"
    elif paintings and (hint := scale_hint(config, ok)):  # the paintings set the peak
        pass
    else:
        hint = size_hint(config, photo, ok, flag)
    run = f"a {width}x{height} px run" + (painting_at(config, paintings) if hint.startswith("style_scale") else "")
    raise too_large(f"{run} needs about {amount(total)}{holding(own)} but only {amount(free)} is free; use {hint}")


def too_large(message: str) -> InputError:
    """The refusal of a run too large for the memory free, its advice in StyleConfig's words ("use size=600 or
    smaller"), which the command line names as its flags (`InputError.naming`: "use --size 600 or smaller")."""
    return InputError(message, settings=["size", "start_size", "scales", "scale_steps", "remat", "lbfgs_memory",
                                         "style_scale"])


def holding(held: int) -> str:
    """", 348 MiB of it held already," where the process holds `held` bytes of the estimate; "" where none."""
    return f", {amount(held)} of it held already," if held else ""


def check_init(config: StyleConfig, photo: tuple[int, int], paintings: Sequence[tuple[int, int]], free: int,
               held: int = 0, content: Path | None = None) -> None:
    """Raise an InputError where decoding `config.init`, an image file, will not fit in the host's memory (`free`
    where that is the host's), `held` of it held already (`fits`): the run decodes it after this check, once the photo
    and paintings are held and the weights loaded (`decode_memory.init_bytes`; a 48-megapixel one peaked at 1900-1910
    MiB where the check said 770 MiB: README, Memory); so is the photo file `content` again, where it is transparent."""
    from jaxart import decode_memory

    shape, need = decode_memory.init_peak(config.init, [photo, *paintings])
    host = free if on_host() else host_bytes()
    if shape is not None and not fits(need, host, held):
        raise InputError(f"decoding the init image ({shape[1]}x{shape[0]} px) needs about {amount(need)}"
                         f"{holding(held)} but only {amount(host)} is free; give a smaller init image, or "
                         "init='content'", settings=["init"])
    # A transparent photo is decoded again for its alpha then too (transparency.photo_alpha): counted as an --init's.
    shape, need = decode_memory.alpha_peak(content, [photo, *paintings], config.size)
    if shape is not None and not fits(need, host, held):
        raise InputError(f"decoding the photo {content} ({shape[1]}x{shape[0]} px) again for its transparency needs "
                         f"about {amount(need)}{holding(held)} but only {amount(host)} is free; give a smaller photo, "
                         "or one without transparency")


def scale_hint(config: StyleConfig, fits: Callable[[StyleConfig], bool]) -> str | None:
    """The largest style_scale that `fits`, where the paintings' targets set the peak (a smaller
    scale alone makes the run fit), as the setting to give; else None."""
    scale = lambda k: config.replace(style_scale=k / 100)  # noqa: E731
    if not fits(scale(1)):
        return None
    percent = largest(lambda k: fits(scale(k)), 1, math.floor(100 * config.style_scale))
    return f"style_scale={percent / 100:g} or smaller"


def painting_at(config: StyleConfig, paintings: Sequence[tuple[int, int]]) -> str:
    """" with the painting at WxH px": the largest of `paintings` (as read) at `config`'s style scale."""
    h, w = max((fit(p, painting_side(p, config.size, config.style_scale)) for p in paintings),
               key=lambda hw: hw[0] * hw[1])
    return f" with the painting at {w}x{h} px"


def size_hint(config: StyleConfig, photo: tuple[int, int], fits: Callable[[StyleConfig], bool],
              flag: str = "size") -> str:
    """The largest size that `fits`, as the settings to give (`photo_size.size_options`): one that leaves
    the photo deep enough for the layers and the painting 16 px (`StyleConfig.validate`), with the
    default lbfgs_memory where the size alone cannot fit."""
    least = max(16, photo_size.least_size(photo, photo_size.deepest(config)[1]), math.ceil(16 / config.style_scale))
    least += least * config.style_scale < 16  # rounding
    short = config.replace(lbfgs_memory=StyleConfig.lbfgs_memory)
    for base in [config] + [short] * (config.lbfgs_memory > short.lbfgs_memory):
        if fits(base.replace(size=least)):
            side = largest(lambda n: fits(base.replace(size=n)), least, config.size)
            also = f"lbfgs_memory={short.lbfgs_memory} and " if base is short else ""
            return also + photo_size.size_options(config, side, flag)
    return "a machine with more memory"
