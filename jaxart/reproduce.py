"""The `jaxart stylize` command that makes an image again, read from its run record (`jaxart info --command`).

`command(record, output, fmt)` is pure: a record dict in, an argv list out. Every `StyleConfig` field is either set by
the option `OPTIONS` names or listed in `NOT_NEEDED` with the reason leaving it out changes no pixel (a test holds
every field to one of the two, so a new field cannot be left out silently). An option appears only where the recorded
value differs from stylize's default (`StyleConfig()`'s, white for --background), so a default run gives a short
command.

Left out of the command, besides `NOT_NEEDED`: the record's results (loss, image_loss, steps reached, seconds,
gradient_products, schedule: what the run reached, not what it was asked), its checksums (checked by `reproduce_checks`
instead), and the options that change neither pixels nor the image file: --quiet, --overwrite, --save-every,
--checkpoint-every, --animate (frames and checkpoints beside the image, which the record does not keep either), except
--save-every for a frame's record: its command is the run's, which writes the frame again beside its output
(`destination`). A run stopped early is made again as it ran: with its --tolerance, which stops the rerun at the same
step, or, stopped by a library callback (`transfer.run`), as a run of the steps it took (`plateau.taken`).
--learning-rate appears only with adam: L-BFGS ignores it (and stylize warns when it is given with lbfgs).
"""

from __future__ import annotations

import os
from pathlib import Path

from jaxart import formats, image, region_styles
from jaxart.config import IGNORES, StyleConfig
from jaxart.errors import InputError
from jaxart.reproduce_record import check_settings as _check_settings, config_of, inputs_of, stop as _stop

# reproduce_record.py's readers are re-exported, from before it was split off: reproduce.config_of, inputs_of.
__all__ = ["DEFAULT", "NOT_NEEDED", "OPTIONS", "command", "config_of", "destination", "frame_step", "inputs_of",
           "option_text"]

DEFAULT = StyleConfig()

# StyleConfig field -> the stylize option that sets it (scale_steps and steps share --steps).
OPTIONS = {
    "size": "--size", "steps": "--steps", "scale_steps": "--steps", "scales": "--scales",
    "start_size": "--start-size", "seed": "--seed", "optimizer": "--optimizer", "linesearch": "--linesearch",
    "lbfgs_memory": "--lbfgs-memory", "learning_rate": "--learning-rate", "init": "--init",
    "content_weight": "--content-weight", "style_weight": "--style-weight", "tv_weight": "--tv-weight",
    "content_layers": "--content-layers", "style_layers": "--style-layers",
    "style_layer_weights": "--style-layer-weights", "style_blend": "--style-blend", "colors": "--colors",
    "match_luminance": "--match-luminance", "style_scale": "--style-scale", "margin": "--margin", "mask": "--mask",
    "region_colors": "--region-style", "keep_colors": "--region-style",
    "pooling": "--pooling", "loop": "--loop", "remat": "--remat", "conv": "--conv",
}

# StyleConfig fields no stylize option sets, and why the command needs none.
NOT_NEEDED = {
    "chunk": "no option sets it (stylize always runs the default); it is how many steps one XLA loop runs "
             "before Python sees them, not what a step computes",
}


def command(record: dict, output: str | os.PathLike, fmt: str = "png") -> list[str]:
    """The argv (from "jaxart", "stylize") that makes the image `record` describes again, into `output`.

    Args:
      record: a run record as `jaxart.image_record.read_record` returns it: a stylize run's, a sweep
        tile's, or an interrupted run's. Fields older versions lacked take stylize's defaults (the
        margin 0, as 0.1 ran).
      output: the image to write (paths are printed as given; the record's are absolute); for a
        `--save-every` frame's record, the run's output, beside which the run writes the frame again.
      fmt: the format the image was written in ("png", "png16" or "tiff"); --format appears only
        where `output`'s suffix would not choose it.

    Raises:
      InputError: a sweep's contact sheet (its tiles hold the runs), or a record without the
        config or the input paths, or with config fields this version does not know, or with
        no content or style layers (which the API allows and no stylize option gives).
    """
    if "tiles" in record:
        tiles = record["tiles"] if isinstance(record["tiles"], list) else []
        raise InputError(f"this is a sweep's contact sheet; each tile beside it ({', '.join(map(str, tiles[:2]))}"
                         f"{', ...' if len(tiles) > 2 else ''}) is one run: give a tile to `info --command`")
    config, content, styles = config_of(record), *inputs_of(record)
    _check_settings(record, config, styles)
    tolerance, config = _stop(record, config)
    for kind in ("content", "style"):
        if not getattr(config, f"{kind}_layers"):  # the API's StyleConfig allows none; `--{kind}-layers ''` is refused
            raise InputError(f"the run record has no {kind} layers, which no stylize option gives (a run of the Python "
                             f"API); --{kind}-weight 0 has the same effect, or re-run it with the API")
    argv = ["jaxart", "stylize", _positional(content)]
    if config.mask is None:
        argv += map(_positional, styles)
    argv += ["--output", str(output)]
    if frame_step(record) is not None:
        argv += ["--save-every", str(record["save_every"])]
    model = record.get("model_path") or record.get("model")  # "auto" when a record names none
    if isinstance(model, str) and model != "auto":
        argv += ["--model", model]
    argv += _config_options(config, styles)
    if tolerance:
        argv += ["--tolerance", option_text(tolerance)]
    background = (record.get("inputs") or {}).get("background")
    if background is not None and tuple(background) != image.WHITE:
        argv += ["--background", ",".join(str(int(c)) for c in background)]
    try:
        implied = formats.choose_format(None, output)
    except InputError:  # a suffix that names no format
        implied = None
    if fmt != implied:
        argv += ["--format", fmt]
    return argv


def destination(record: dict, image: str | os.PathLike) -> Path:
    """Where `info --command IMAGE` has its command write, so that it runs as printed and leaves IMAGE as
    it is: OUT-2.png beside IMAGE = OUT.png, or the first of OUT-3.png, OUT-4.png, ... where no file
    yet starts with that name and ".", "_" or "-" (a run's checkpoint and frames, a sweep's page and
    tiles). A frame's command is its run's (its own name would get the run's last image), so that
    run's output is named so instead, and the frame comes again beside it. A link's folder is resolved, not its name."""
    run = Path(record["output"]) if frame_step(record) is not None else Path(image).parent.resolve() / Path(image).name
    try:
        taken = [p.name for p in run.parent.iterdir()]
    except OSError:  # no such folder (any more): nothing is in the way
        taken = []
    n = 2
    while any(t.startswith(tuple(f"{run.stem}-{n}{c}" for c in "._-")) for t in taken):
        n += 1
    return run.with_name(f"{run.stem}-{n}{run.suffix}")


def frame_step(record: dict) -> int | None:
    """The step of a `--save-every` frame's record (it keeps the run's output and interval), else None:
    a finished image's record has no step, an interrupted one's says it was interrupted."""
    step, every, output = record.get("step"), record.get("save_every"), record.get("output")
    if "interrupted" in record or not isinstance(output, str) or not output:
        return None
    if isinstance(step, int) and isinstance(every, int) and every > 0 and step > 0:
        return step
    return None


def _painting(path: str) -> str:
    """A region's painting as --region-style reads it back as a file: a painting named `photo` is ./photo."""
    return f"./{path}" if path.lower() == region_styles.KEEP else path


def _positional(path: str) -> str:
    """`path` as an argument stylize reads as a file: a relative `-x.png` (an edited record's) would be
    parsed as an option, `./-x.png` is the same file. Option values need no such care: click takes
    the word after an option as its value whatever it starts with."""
    return f"./{path}" if path.startswith("-") else path


def _config_options(config: StyleConfig, styles: list[str]) -> list[str]:
    """The options that give `config`, each where its value differs from the default."""
    argv = []
    for field, flag in OPTIONS.items():
        value, default = getattr(config, field), getattr(DEFAULT, field)
        if field == "size":
            default = (config.scales or (DEFAULT.size,))[-1]  # stylize's --size default
        elif field == "steps":
            value = config.scale_steps or value
            default = None if config.scale_steps else default
        elif field in ("scale_steps", "mask", "keep_colors") or field in IGNORES.get(config.optimizer, ()) or (
                field == "style_blend" and len(styles) == 1):  # one painting's changes nothing; stylize refuses it
            continue  # --steps above; --mask, kept regions with --region-style below; one the optimizer ignores
        elif field == "region_colors" and config.mask is not None:
            argv += ["--mask", config.mask]
            argv += [x for c, s in zip(value, styles) for x in ("--region-style", f"{c}={_painting(s)}")]
            argv += [x for c in config.keep_colors or () for x in ("--region-style", f"{c}={region_styles.KEEP}")]
            continue
        if value == default:
            continue
        if isinstance(value, bool):
            argv.append(flag if value else f"--no-{flag[2:]}")
        else:
            argv += [flag, option_text(value)]
    return argv


def option_text(value) -> str:
    """A number or list as stylize parses it back to the same value: 10.0 as 10, 0.1 as 0.1."""
    if isinstance(value, (tuple, list)):
        return ",".join(option_text(v) for v in value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)
