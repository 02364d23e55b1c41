"""`jaxart bench`: the benchmark rows in order, each printed as soon as it is measured.

Per size: evaluation and L-BFGS step times (bench.py, with PyTorch's beside them when asked),
a batched sweep (bench_sweep.py) and peak memory in fresh processes (bench_memory.py); then,
once, time to quality (bench_quality.py). The result is what `--json` writes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

from jaxart.errors import InputError


def check(sizes: Sequence[int], *, repeats: int = 3, loops: Sequence[str] = ("python",), baseline: str | None = None,
          convs: Sequence[str] = ("auto",), sweep: int = 0, quality: dict | None = None,
          json_out: Path | None = None) -> None:
    """Raise an InputError naming the first bad option, before anything is measured (`run`'s arguments)."""
    from jaxart import bench as B, destinations, image, job, memory, sweep as S, vgg

    def choose(flag, given, allowed):
        if not given or not set(given) <= set(allowed):
            raise InputError(f"{flag} {','.join(given)} is not a list of {', '.join(allowed)}")

    choose("--loops", loops, B.LOOPS)
    choose("--conv", convs, vgg.CONVS)
    if baseline not in (None, *B.BASELINES):
        raise InputError(f"--baseline {baseline} is not one of {', '.join(B.BASELINES)}")
    if baseline == "torch":
        from jaxart import bench_torch

        if not bench_torch.available():
            raise InputError("--baseline torch needs PyTorch, which is not installed; pip install torch==2.13.0")
    if repeats < 1 or sweep < 0:
        raise InputError(f"--repeats must be 1 or more and --sweep 0 or more, got {repeats} and {sweep}")
    for size in list(sizes) + ([quality["size"]] if quality else []):
        if size < 16:
            raise InputError(f"image size {size} is too small; benchmark sizes of at least 16 pixels")
        try:
            memory.check(B.PAPER.replace(size=size, conv=convs[0]), photo=(16, 16))  # square, no file
        except InputError as e:  # it says what fits
            raise InputError(f"benchmark size {size}: {e}") from None
        if sweep:
            try:
                S.check_memory(B.PAPER.replace(size=size, conv=convs[0]), sweep, photo=(size, size))
            except InputError as e:
                raise InputError(f"--sweep {sweep} at {size} px: {e}") from None
    if quality:
        if quality["evals"] < 0 or (quality["coarse_steps"] or 0) < 0:
            raise InputError("--quality-evals and --coarse-steps must be 0 or more")
        if not (math.isfinite(quality["limit"]) and quality["limit"] > 0):
            raise InputError(f"--quality-limit must be a finite number above 0, got {quality['limit']}")
        if quality["model"] != "random":
            job.model_arch(quality["model"])
        for picture in (quality["content"], quality["style"]):
            if picture is not None:
                image.load_image(picture, 16)  # a bad file fails now, not after the other rows
    if json_out is not None:
        if json_out.is_dir():
            raise InputError(f"--json {json_out} is a folder; give a file name, e.g. bench.json")
        destinations.check_output(json_out.with_suffix(".png"), overwrite=True, flag="--json")  # its folder is writable


def write_json(path: Path, result: dict) -> None:
    """`result` as JSON at `path`, atomically, as an output image is written."""
    import json
    import os

    from jaxart.errors import writing

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with writing(path, "results"):
            tmp.write_text(json.dumps(result, indent=2))
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def run(
    sizes: Sequence[int],
    *,
    repeats: int = 3,
    loops: Sequence[str] = ("python",),
    baseline: str | None = None,
    remat: bool = False,
    convs: Sequence[str] = ("auto",),
    memory: bool = False,
    sweep: int = 0,
    quality: dict | None = None,
    quality_images: Path | None = None,
    echo: Callable[[str], None] = print,
) -> dict:
    """Measure every row asked for and return them as one JSON-ready dict.

    `quality` holds the time-to-quality settings (`evals`, `size`, `coarse_steps`, `limit`,
    `model`, `content`, `style`), or None to skip it; the runs' last images go to
    `quality_images` as PNGs when it is given.
    """
    from jaxart import bench as B, bench_memory

    peaks = {dtype: B.matmul_peak(dtype=dtype) for dtype in ("float32", "bfloat16")}
    echo(f"{B.machine()}; matmul peak {peaks['float32']:.0f} GFLOP/s (float32), {peaks['bfloat16']:.0f} (bfloat16)")
    rows, memory_rows, sweep_rows, reached = [], [], [], None
    for size in sizes:
        rows.append(B.measure(size, repeats=repeats, loops=tuple(loops), baseline=baseline, remat=remat,
                              convs=tuple(convs)))
        echo(B.format_row(rows[-1]))
        if sweep:
            from jaxart import bench_sweep

            sweep_rows.append(bench_sweep.measure_sweep(size, settings=sweep, repeats=repeats))
            echo(bench_sweep.format_sweep(sweep_rows[-1]))
        for framework in ("jax", baseline) if memory and baseline else ("jax",) if memory else ():
            memory_rows.append(bench_memory.memory_row(size, framework, remat, convs[0]))
            echo(bench_memory.format_memory(memory_rows[-1]))
    if quality:
        reached = _time_to_quality(baseline=baseline, images=quality_images, echo=echo, **quality)
    return {"machine": B.machine(), "matmul_peak_gflops": peaks, "results": rows, "memory": memory_rows,
            "quality": reached, "sweep": sweep_rows}


def _time_to_quality(*, evals: int, size: int, coarse_steps: int | None, limit: float, model: str,
                     content: Path | None, style: Path | None, baseline: str | None, images: Path | None,
                     echo: Callable[[str], None]) -> dict:
    from jaxart import bench_quality

    w, content_px, style_px = bench_quality.quality_inputs(size, model, content, style)
    row = bench_quality.time_to_quality(size, evals, weights=w, content=content_px, style=style_px,
                                        coarse_steps=coarse_steps, baseline=baseline, limit=limit)
    echo(bench_quality.format_quality(row))
    pictures = row.pop("images")
    if images:
        from jaxart.output import save_image

        images.mkdir(parents=True, exist_ok=True)
        for name, picture in pictures.items():
            save_image(images / f"{name}.png", picture)
    return row
