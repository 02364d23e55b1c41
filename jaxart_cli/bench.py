"""`jaxart bench`: its options, parsed and checked (jaxart/bench_checks.py), then the suite
(jaxart/bench_suite.py) run and written."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from jaxart_cli.command_names import program as _program
from jaxart_cli.common import echo as _echo, given as _given, start_jax_first as _start_jax_first
from jaxart_cli.fetch import fetch as _fetch
from jaxart_cli.parsers import to_read as _to_read, word_or_file as _word_or_file
from jaxart_cli.paths import home as _home
from jaxart_cli.signals import stop_if_interrupted as _stop_if_interrupted
from jaxart_cli.values import csv as _csv, number as _number, whole as _whole


# bench options that only time to quality reads: refused without --quality-evals, not ignored.
_QUALITY_OPTIONS = ("quality_size", "coarse_steps", "quality_limit", "model", "content", "style", "quality_images")
# and those that only the rows per size read: refused with --sizes none.
_SIZE_OPTIONS = ("repeats", "loops", "remat", "conv", "memory", "sweep_settings")


def bench(
    ctx: typer.Context,
    sizes: Annotated[Optional[list[str]], typer.Option(
        help="Comma-separated image sizes [default: 256,512; 256,512,1024 on a GPU]; none: time to quality alone.",
        show_default=False, metavar="<str>")] = None,
    repeats: Annotated[int, typer.Option(
        parser=_whole,
        help="Timed evaluations per size (at most 100); also the steps of a scan chunk and the sweep's blocks.")] = 3,
    loops: Annotated[list[str], typer.Option(
        help="L-BFGS step variants to time: python, scan, zoom.", metavar="<str>")] = ["python"],
    baseline: Annotated[Optional[str], typer.Option(
        help="torch: time the same loss and L-BFGS in PyTorch, interleaved, as ratios.")] = None,
    remat: Annotated[bool, typer.Option(
        help="Checkpoint each VGG stage (one more forward pass; lowers the peak on GPU, on CPU it does not).")] = False,
    conv: Annotated[list[str], typer.Option(
        help="Convolutions: auto, direct, winograd or winograd-bf16; a list (winograd,direct) times the others' "
             "evaluations beside the first.", metavar="<str>")] = ["auto"],
    memory: Annotated[bool, typer.Option(
        help="Measure the peak memory of one evaluation in a fresh process (and torch's with --baseline).")] = False,
    quality_evals: Annotated[int, typer.Option(
        parser=_whole,
        help="Time to the loss that N single-scale L-BFGS steps reach (0: skip; at most 10000).")] = 0,
    quality_size: Annotated[int, typer.Option(parser=_whole, help="Image size for the time-to-quality runs.")] = 512,
    coarse_steps: Annotated[Optional[int], typer.Option(
        parser=_whole, help="Half-size steps of the coarse-to-fine run [default: N/2]; 0 leaves it out.")] = None,
    quality_limit: Annotated[float, typer.Option(
        parser=_number, help="Other runs give up after this many times N full-size steps.")] = 3.0,
    # Paths get a quoted ~ expanded (home) and are checked after it, by bench_checks.check: Typer's
    # exists=True would look for a folder named "~".
    model: Annotated[str, typer.Option(
        help="Weights for time to quality: random (VGG19) or a registered name.", callback=_home,
        parser=_word_or_file("random (VGG19), a weight set's name or a .safetensors path", ("random",)))] = "random",
    content: Annotated[Optional[Path], typer.Option(
        help="Photo for time to quality [default: random pixels].", parser=_to_read("the path of an image file"),
        metavar="<path>", callback=_home)] = None,
    style: Annotated[Optional[Path], typer.Option(
        help="Painting for time to quality [default: random pixels].", parser=_to_read("the path of an image file"),
        metavar="<path>", callback=_home)] = None,
    quality_images: Annotated[Optional[Path], typer.Option(
        help="Write the jaxart time-to-quality runs' last images to this folder: single.png, and coarse_to_fine.png "
        "unless --coarse-steps 0 (--baseline torch's run writes none).", file_okay=False,
        parser=_to_read("the path of a folder"), metavar="<path>", callback=_home)] = None,
    sweep_settings: Annotated[int, typer.Option(
        "--sweep", parser=_whole,
        help="Also time an N-setting sweep at each size, batched against one by one (0: skip).")] = 0,
    json_out: Annotated[Optional[Path], typer.Option(
        "--json", help="Also write results as JSON (with the date, options and machine).",
        parser=_to_read("a file name, such as bench.json"), metavar="<path>", callback=_home)] = None,
    overwrite: Annotated[bool, typer.Option(
        help="Replace an existing --json file or --quality-images PNGs.")] = False,
) -> None:
    """Time loss+gradient evaluations, compilation, memory, optimizer overhead and time to quality (VGG19)."""
    from jaxart import bench_checks, bench_json, bench_suite
    from jaxart.errors import nearest_name

    # Repeated, each adds its values, as a sweep's --seed 0 --seed 1 is --seed 0,1: `--sizes 256 --sizes 512` timed 512
    sizes, loops, conv = None if sizes is None else ",".join(sizes), ",".join(loops), ",".join(conv)
    # not given: the default, which depends on the backend; `none`: no rows per size, time to quality alone
    if sizes not in (None, "none") and (near := nearest_name(sizes, ["none"])):  # `None`: taken as typed, and told
        raise typer.BadParameter(f"{sizes!r} is not a comma-separated list of whole numbers{near}",
                                 param_hint="--sizes")
    size_list = () if sizes == "none" else _csv(sizes, "--sizes", int)
    variants, convs = _csv(loops, "--loops"), _csv(conv, "--conv")
    if not quality_evals and (stray := next((n for n in _QUALITY_OPTIONS if _given(ctx, n)), None)):
        raise typer.BadParameter("it only applies to time to quality; give --quality-evals N (above 0) too, or "
                                 "leave it out", param_hint=f"--{stray.replace('_', '-')}")
    if size_list == () and not quality_evals:
        raise typer.BadParameter("none leaves nothing to time; give --quality-evals N to time only time to quality",
                                 param_hint="--sizes")
    if size_list == () and (stray := next((n for n in _SIZE_OPTIONS if _given(ctx, n)), None)):
        flag = "--sweep" if stray == "sweep_settings" else f"--{stray.replace('_', '-')}"
        raise typer.BadParameter("it only applies to the rows per size, which --sizes none leaves out; give sizes, "
                                 "or leave it out", param_hint=flag)
    if overwrite and not (json_out or quality_images):
        raise typer.BadParameter("it only applies to --json and --quality-images; give one, or leave it out",
                                 param_hint="--overwrite")
    quality = None if not quality_evals else dict(
        evals=quality_evals, size=quality_size, coarse_steps=coarse_steps, limit=quality_limit, model=model,
        content=content, style=style)
    # A flag XLA refuses is one line of ours, once the checks that need no JAX are done: its memory figures start it.
    bench_checks.check(size_list, repeats=repeats, loops=variants, baseline=baseline, convs=convs,
                       sweep=sweep_settings, quality=quality, json_out=json_out, quality_images=quality_images,
                       remat=remat, overwrite=overwrite, start=lambda: _start_jax_first(dry_run=False))
    result = bench_suite.run(size_list, repeats=repeats, loops=variants, baseline=baseline, remat=remat, convs=convs,
                             memory=memory, sweep=sweep_settings, quality=quality, quality_images=quality_images,
                             echo=lambda line: (_stop_if_interrupted(), _echo(line)),
                             fetch=lambda name: _fetch(name, quiet=False))
    if json_out:
        program = "python cli.py" if sys.argv[0].endswith("cli.py") else _program(ctx)  # or python -m jaxart
        bench_json.write_json(json_out, {"command": f"{program} {shlex.join(sys.argv[1:])}", **result},
                              overwrite=overwrite)
