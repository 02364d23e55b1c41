"""`jaxart bench`: the benchmark rows in order, each printed as soon as it is measured.

Per size: evaluation and L-BFGS step times (bench.py, with PyTorch's beside them when asked),
a batched sweep (bench_sweep.py) and peak memory in fresh processes (bench_memory.py); then,
once, time to quality (bench_quality.py). The result is what `--json` writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path


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
