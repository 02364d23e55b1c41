"""`jaxart bench`: the benchmark rows in order, each printed as soon as it is measured.

Per size: evaluation and L-BFGS step times (bench.py, with PyTorch's beside them when asked),
a batched sweep (bench_sweep.py) and peak memory in fresh processes (bench_memory.py); then,
once, time to quality (bench_quality.py). The result is what `--json` writes
(bench_json.py). The options are checked first, by bench_checks.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from jaxart.byte_sizes import amount


def run(
    sizes: Sequence[int] | None = None,
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
    fetch: Callable[[str], object] | None = None,
) -> dict:
    """Measure every row asked for, at `sizes` (None: `bench_setup.sizes_or_default`; empty: time to quality
    alone), as one JSON-ready dict.

    `quality` holds the time-to-quality settings (`evals`, `size`, `coarse_steps`, `limit`,
    `model`, `content`, `style`), or None to skip it; the runs' last images go to
    `quality_images` as PNGs when it is given. `bench_checks.check` takes the same arguments first. Before
    measuring anything, a registered `model` not installed yet is fetched with `fetch(name)`
    (default `weights.fetch`, without progress), so that it does not fail after minutes of rows.
    """
    import datetime

    import jax

    from jaxart import __version__, bench_machine, bench_setup, provenance

    if quality:
        _fetch_model(quality["model"], fetch, echo)
    sizes = bench_setup.sizes_or_default(sizes)
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    machine = bench_machine.machine()  # its load average before bench's own work adds to it
    # The figures are compile and run times: a program taken from JAX's persistent cache
    # (JAX_COMPILATION_CACHE_DIR) would report its load time as the compile time.
    cache = jax.config.jax_enable_compilation_cache
    jax.config.update("jax_enable_compilation_cache", False)
    try:
        result = _rows(sizes, repeats, loops, baseline, remat, convs, memory, sweep, quality, quality_images, echo,
                       machine)
    finally:
        jax.config.update("jax_enable_compilation_cache", cache)
    options = {"sizes": list(sizes), "repeats": repeats, "loops": list(loops), "baseline": baseline, "remat": remat,
               "conv": list(convs), "memory": memory, "sweep": sweep,
               "quality": quality and {k: str(v) if isinstance(v, Path) else v for k, v in quality.items()}}
    return {"jaxart": __version__, **({"source": src} if (src := provenance.source()) else {}),
            "started": started, "options": options, "machine": machine, **result}


def _rows(sizes, repeats, loops, baseline, remat, convs, memory, sweep, quality, quality_images, echo, machine) -> dict:
    from jaxart import bench as B, bench_machine, bench_memory

    peaks = {dtype: bench_machine.matmul_peak(dtype=dtype) for dtype in ("float32", "bfloat16")}
    echo(f"{bench_machine.format_machine(machine)}; "
         f"matmul peak {peaks['float32']:.0f} GFLOP/s (float32), {peaks['bfloat16']:.0f} (bfloat16)")
    rows, memory_rows, sweep_rows, reached = [], [], [], None
    for size in sizes:
        rows.append(B.measure(size, repeats=repeats, loops=tuple(loops), baseline=baseline, remat=remat,
                              convs=tuple(convs)))
        echo(B.format_row(rows[-1]))
        if sweep:
            from jaxart import bench_sweep

            sweep_rows.append(bench_sweep.measure_sweep(size, settings=sweep, repeats=repeats, remat=remat,
                                                          conv=convs[0]))
            echo(bench_sweep.format_sweep(sweep_rows[-1]))
        for framework in ("jax", baseline) if memory and baseline else ("jax",) if memory else ():
            memory_rows.append(bench_memory.memory_row(size, framework, remat, convs[0]))
            echo(bench_memory.format_memory(memory_rows[-1]))
    if quality:
        reached = _time_to_quality(baseline=baseline, images=quality_images, echo=echo, **quality)
    return {"matmul_peak_gflops": peaks, "results": rows, "memory": memory_rows, "quality": reached,
            "sweep": sweep_rows}


def _fetch_model(model: str, fetch: Callable[[str], object] | None, echo: Callable[[str], None]) -> None:
    """Download registered weights `model` unless installed; `quality_inputs` loads them later, so
    that holding them does not raise the rows' peak memory."""
    from jaxart import weights

    if model not in weights.SOURCES or weights.path_for(model).is_file():
        return  # random weights, a file, or installed
    echo(f"fetching {model} ({amount(weights.SOURCES[model].size)}) for time to quality")
    (fetch or weights.fetch)(model)


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

        for name, picture in pictures.items():  # checked before measuring: each is new, or --overwrite was given
            save_image(images / f"{name}.png", picture)
    return row
