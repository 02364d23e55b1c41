"""`jaxart bench`'s options checked before anything is measured (`check`, with bench_suite.run's arguments):
the lists, bounds, time to quality's settings and files, --json's name, and each size's memory."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from jaxart.duplicates import repeated
from jaxart.errors import InputError, as_typed, nearest_name

# Bounds that keep a benchmark finite: --repeats 10 and --quality-evals 500 are the most BENCHMARKS.md used.
MAX_REPEATS = 100  # "scan" runs a chunk of `repeats` steps per repeat: repeats**2 steps in all
MAX_STEPS = 10_000  # --quality-evals, --coarse-steps, and the other runs' --quality-limit x evals


def check(sizes: Sequence[int] | None, *, repeats: int = 3, loops: Sequence[str] = ("python",),
          baseline: str | None = None, convs: Sequence[str] = ("auto",), remat: bool = False, sweep: int = 0,
          quality: dict | None = None,
          json_out: Path | None = None, quality_images: Path | None = None, overwrite: bool = False,
          start: Callable[[], None] = lambda: None) -> None:
    """Raise an InputError naming the first bad option, before anything is measured (`bench_suite.run`'s
    arguments; `overwrite` lets `json_out` replace a file). Nothing is created: folders are made
    only when their files are written. `start` is called once those that need no JAX are done, before the memory
    figures start it (the CLI's XLA_FLAGS check)."""
    from jaxart import bench as B
    from jaxart.bench_json import check_name as check_json_name
    from jaxart.bench_setup import PAPER, sizes_or_default
    from jaxart.convs import CONVS
    from jaxart.destinations import check_folder, check_not_input
    from jaxart.output_names import check_names

    def choose(flag, given, allowed):
        if not given or not set(given) <= set(allowed):
            near = next((nearest_name(g, allowed) for g in given if g not in allowed), "")  # `Python`: python
            raise InputError(f"{flag} {','.join(given)!r} is not a list of {', '.join(allowed)}{near}")

    for flag, given in (("--sizes", sizes or ()), ("--loops", loops), ("--conv", convs)):
        _once(flag, given)
    choose("--loops", loops, B.LOOPS)
    choose("--conv", convs, CONVS)
    if baseline not in (None, *B.BASELINES):
        raise InputError(f"--baseline {baseline!r} is not one of {', '.join(B.BASELINES)}"
                         f"{nearest_name(baseline, B.BASELINES)}")
    if baseline == "torch":
        from jaxart import bench_torch

        if not bench_torch.available():
            raise InputError(bench_torch.MISSING)
    if not 1 <= repeats <= MAX_REPEATS:
        raise InputError(f"--repeats must be 1 to {MAX_REPEATS}, got {repeats}; the median of 5-10 is steady")
    if sweep < 0:
        raise InputError(f"--sweep must be 0 or more, got {sweep}")
    if quality:
        _check_quality(**quality, images=quality_images, overwrite=overwrite)
    if json_out is not None:
        if str(json_out) == "-":  # it wrote a file named '-', where stylize's -o - is refused
            raise InputError("--json - is not standard output here; give a file name, such as bench.json")
        check_names([("results", json_out)], "--json")  # first: a name too long fails is_dir()
        if json_out.is_dir():
            raise InputError(f"--json {json_out} is a folder; give a file name, e.g. bench.json")
        check_not_input([json_out], [quality.get("content"), quality.get("style")] if quality else [])
        if quality and quality_images and (
                os.path.abspath(json_out) in map(os.path.abspath, quality_pictures(quality_images, 1))):
            raise InputError(f"--json {json_out} is where --quality-images writes a picture; choose another name")
        check_json_name(json_out)
        if os.path.lexists(json_out) and not overwrite:
            raise InputError(f"--json {json_out} already exists; pass --overwrite to replace it or choose another name")
        check_folder(json_out.parent, "--json", what="--json's folder")  # "--json /proc is not writable" named a file
    start()  # the memory figures start JAX
    for size, flag in ([(s, "--sizes") for s in sizes_or_default(sizes)]
                       + ([(quality["size"], "--quality-size")] if quality else [])):
        _check_memory(PAPER.replace(size=size, conv=convs[0], remat=remat), flag, sweep if flag == "--sizes" else 0)


def _once(flag: str, given: Sequence) -> None:
    """Refuse a value listed twice: a conv timed against itself, or a size or loop measured twice
    and reported once, would pass for a comparison. The value quoted as other lines quote one
    ('direct'; it was bare), a size bare as numbers are."""
    if (twice := repeated(given)) is not None:
        raise InputError(f"{flag} lists {twice!r} twice; give each value once")


def _check_quality(*, evals: int, coarse_steps: int | None, limit: float, model: str, content: Path | None,
                   style: Path | None, images: Path | None, overwrite: bool = False, **_) -> None:
    """Time to quality's step counts (each at most MAX_STEPS), weights, pictures and images' folder
    (whose PNGs replace an existing file only with `overwrite`, and never an input)."""
    from jaxart import image, model_choice, weights
    from jaxart.destinations import check_folder, check_not_input

    for flag, steps in (("--quality-evals", evals), ("--coarse-steps", coarse_steps or 0)):
        if not 0 <= steps <= MAX_STEPS:
            raise InputError(f"{flag} must be 0 to {MAX_STEPS}, got {steps}")
    if not (math.isfinite(limit) and limit > 0):
        raise InputError(f"--quality-limit must be a finite number above 0, got {as_typed(limit)}")
    cap = limit * evals  # the full-size steps the other runs may take (bench_quality.time_to_quality)
    if cap < 1:
        least = math.ceil(1000 / max(evals, 1)) / 1000  # limit x evals >= 1, to three decimals
        raise InputError(f"--quality-limit {as_typed(limit)} x --quality-evals {evals} leaves the other runs no "
                         f"full-size step; give --quality-limit {least:g} or more")
    if cap > MAX_STEPS:
        raise InputError(f"--quality-limit {as_typed(limit)} x --quality-evals {evals} allows the other runs more than "
                         f"{MAX_STEPS} full-size steps; give --quality-limit {MAX_STEPS // evals} or less")
    if model == "auto":  # stylize's fallback to vgg16-hed would change what is timed
        raise InputError(f"--model auto may fall back to vgg16-hed, which would change what bench times; give "
                         f"random (VGG19) or one of {', '.join(sorted(weights.SOURCES))}")
    if model != "random":
        model_choice.model_arch(model)
    for picture in (content, style):
        if picture is not None:
            image.load_image(picture, 16)  # a bad file fails now, not after the other rows
    if images is not None:
        check_folder(images, "--quality-images", what="--quality-images")
        pictures = quality_pictures(images, evals // 2 if coarse_steps is None else coarse_steps)
        check_not_input(pictures, [content, style])
        if not overwrite and (there := next((p for p in pictures if os.path.lexists(p)), None)):
            raise InputError(f"--quality-images: {there} already exists; pass --overwrite to replace it or choose "
                             "another folder")


def quality_pictures(folder: Path, coarse_steps: int) -> list[Path]:
    """The PNGs time to quality writes into `folder`: its runs' last images."""
    return [folder / "single.png"] + [folder / "coarse_to_fine.png"] * bool(coarse_steps)


def _check_memory(config, flag: str, sweep: int = 0) -> None:
    """Refuse a benchmark size (and a batched sweep at it) that will not fit, advising on `flag`."""
    from jaxart import memory, sweep as S
    from jaxart.config_checks import INT32_MAX

    size = config.size
    if not 16 <= size <= INT32_MAX:
        raise InputError(f"{flag} {size} is out of range; give sizes from 16 to {INT32_MAX} pixels")
    try:
        memory.check(config, photo=(16, 16), flag=flag)  # a square of random pixels, no file
        if sweep:
            S.check_memory(config, sweep, photo=(size, size), flag=flag, count_flag="--sweep")
    except InputError as e:  # it says what fits
        raise InputError(f"{flag} {size}: {e}") from None
