"""The `jaxart stylize` command that makes an image again, read from its run record (`jaxart info --command`).

`command(record, output, fmt)` is pure: a record dict in, an argv list out. Every `StyleConfig` field
is either set by the option `OPTIONS` names or listed in `NOT_NEEDED` with the reason leaving it out
changes no pixel (a test holds every field to one of the two, so a new field cannot be left out
silently). An option appears only where the recorded value differs from stylize's default
(`StyleConfig()`'s, white for --background), so a default run gives a short command.

Left out of the command, besides `NOT_NEEDED`: the record's results (loss, steps reached, seconds,
gradient_products, schedule: what the run reached, not what it was asked), its checksums (checked
by `changed_inputs` and `changed_weights` instead), and the options that change neither pixels nor the image file:
--quiet, --overwrite, --save-every, --checkpoint-every, --animate (frames and checkpoints beside
the image, which the record does not keep either). --learning-rate appears only with adam: L-BFGS
ignores it (and stylize warns when it is given with lbfgs).
"""

from __future__ import annotations

import os
from pathlib import Path

from jaxart import guided, image, output as _output, vgg
from jaxart.config import INITS, StyleConfig
from jaxart.errors import InputError

DEFAULT = StyleConfig()

# StyleConfig field -> the stylize option that sets it (scale_steps and steps share --steps).
OPTIONS = {
    "size": "--size", "steps": "--steps", "scale_steps": "--steps", "scales": "--scales",
    "start_size": "--start-size", "seed": "--seed", "optimizer": "--optimizer", "linesearch": "--linesearch",
    "lbfgs_memory": "--lbfgs-memory", "learning_rate": "--learning-rate", "init": "--init",
    "content_weight": "--content-weight", "style_weight": "--style-weight", "tv_weight": "--tv-weight",
    "content_layers": "--content-layers", "style_layers": "--style-layers",
    "style_layer_weights": "--style-layer-weights", "style_blend": "--style-blend", "colors": "--colors",
    "style_scale": "--style-scale", "margin": "--margin", "mask": "--mask", "region_colors": "--region-style",
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
      record: a run record as `jaxart.output.read_record` returns it: a stylize run's, a sweep
        tile's, or an interrupted run's. Fields older versions lacked take stylize's defaults.
      output: the image to write (paths are printed as given; the record's are absolute).
      fmt: the format the image was written in ("png", "png16" or "tiff"); --format appears only
        where `output`'s suffix would not choose it.

    Raises:
      InputError: a sweep's contact sheet (its tiles hold the runs), or a record without the
        config or the input paths, or with config fields this version does not know.
    """
    if "tiles" in record:
        tiles = record["tiles"] if isinstance(record["tiles"], list) else []
        raise InputError(f"this is a sweep's contact sheet; each tile beside it ({', '.join(map(str, tiles[:2]))}"
                         f"{', ...' if len(tiles) > 2 else ''}) is one run: give a tile to `info --command`")
    config, content, styles = _config(record), *_inputs(record)
    _check_settings(record, config, styles)
    argv = ["jaxart", "stylize", content]
    if config.mask is None:
        argv += styles
    argv += ["--output", str(output)]
    model = record.get("model_path") or record.get("model")  # "auto" when a record names none
    if isinstance(model, str) and model != "auto":
        argv += ["--model", model]
    argv += _config_options(config, styles)
    background = (record.get("inputs") or {}).get("background")
    if background is not None and tuple(background) != image.WHITE:
        argv += ["--background", ",".join(str(int(c)) for c in background)]
    try:
        implied = _output.choose_format(None, output)
    except InputError:  # a suffix that names no format
        implied = None
    if fmt != implied:
        argv += ["--format", fmt]
    return argv


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
        elif field in ("scale_steps", "mask") or (field == "learning_rate" and config.optimizer != "adam"):
            continue  # --steps above; --mask with --region-style below; L-BFGS ignores a learning rate
        elif field == "region_colors" and config.mask is not None:
            argv += ["--mask", config.mask]
            argv += [x for c, s in zip(value, styles) for x in ("--region-style", f"{c}={s}")]
            continue
        if value == default:
            continue
        if isinstance(value, bool):
            argv.append(flag if value else f"--no-{flag[2:]}")
        else:
            argv += [flag, _text(value)]
    return argv


def _text(value) -> str:
    """A number or list as stylize parses it back to the same value: 10.0 as 10, 0.1 as 0.1."""
    if isinstance(value, (tuple, list)):
        return ",".join(_text(v) for v in value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _config(record: dict) -> StyleConfig:
    d = record.get("config")
    if not isinstance(d, dict):
        raise InputError("the run record has no config, so no command can be made from it; `jaxart info` "
                         "without --command shows what it holds")
    try:
        return StyleConfig.from_dict(d)  # a field the record lacks (an older jaxart) takes its default
    except ValueError as e:
        raise InputError(f"the run record (jaxart {record.get('jaxart', '?')}) has "
                         f"{str(e).partition(';')[0].replace('unknown', 'config')} this jaxart does not know; "
                         "run the jaxart that wrote it, or read the record with `jaxart info`") from None


def _check_settings(record: dict, config: StyleConfig, styles: list[str]) -> None:
    """Refuse a record whose settings stylize would refuse (an edited or damaged record), so no
    command is printed that fails, or that reads a forged value (--size -5) as the run's. Files are
    not checked here: `changed_inputs` warns of a gone --init or --mask."""
    arch = record.get("arch") if record.get("arch") in vgg.STAGES else None
    try:
        checked = config.replace(init=config.init if config.init in INITS else "content", mask=None,
                                 region_colors=None)
        checked.validate(arch, paintings=None if config.mask else len(styles))
        if config.region_colors is not None or config.mask is not None:
            if config.mask is None or not config.region_colors or len(config.region_colors) != len(styles):
                raise ValueError("region colours and mask do not pair up with the paintings")
            guided.parse_colors(config.region_colors)
        background = (record.get("inputs") or {}).get("background")
        if background is not None:
            image.check_background(background)
    except ValueError as e:
        raise InputError(f"the run record holds settings stylize refuses ({e}); it was edited or damaged, so no "
                         "command can be made from it; `jaxart info` without --command shows what it holds") from None


def _inputs(record: dict) -> tuple[str, list[str]]:
    inputs = record.get("inputs")
    content, styles = (inputs.get("content"), inputs.get("styles")) if isinstance(inputs, dict) else (None, None)
    if not (isinstance(content, str) and isinstance(styles, list) and styles
            and all(isinstance(s, str) for s in styles)):
        raise InputError("the run record names no content and style images (inputs.content, inputs.styles), "
                         "so no command can be made from it; `jaxart info` without --command shows what it holds")
    return content, styles


def changed_inputs(record: dict) -> str | None:
    """One line naming each file the command reads that is gone, or whose sha256 differs from the
    record's (the command would not make the same image); None if all are as recorded."""
    from jaxart.checkpoint import digests

    config, (content, styles) = _config(record), _inputs(record)
    files = [content, *styles, *(p for p in (config.mask, _model_file(record)) if p)]
    if config.init not in INITS:
        files.append(config.init)
    recorded = record.get("input_sha256") if isinstance(record.get("input_sha256"), dict) else {}
    problems = []
    for f in dict.fromkeys(files):
        if not os.path.isfile(f):
            problems.append(f"{f} is gone")
        elif f in recorded and digests([f])[str(Path(f).resolve())] != recorded[f]:
            problems.append(f"{f} has changed since the run (its sha256 differs from the record's)")
    return f"{'; '.join(problems)}: the command will not make the same image" if problems else None


def changed_weights(record: dict) -> str | None:
    """One line when the weights the command names are not the run's here: another file under the
    name or at the path, a registered set the command must download first, or a name this machine
    neither registers nor has installed; None if they are the recorded ones (or nothing says)."""
    from jaxart import weights
    from jaxart.errors import WeightsError

    path, name = _model_file(record), record.get("model")
    if path is not None:
        if not os.path.isfile(path):
            return None  # changed_inputs names it gone
        where = path
    elif not isinstance(name, str) or name == "auto":
        return None
    elif weights.path_for(name).is_file():
        path = weights.path_for(name)
        where = f"the installed {name} ({path})"
    elif name in weights.SOURCES:
        return f"{name} is not installed here: the command downloads it first (`jaxart weights fetch {name}` does so now)"
    else:  # a name installed on the run's machine, or a --model file's inside name (before "model_path")
        digest = record.get("weights_sha256")
        held = f" (sha256 {digest[:12]}...)" if isinstance(digest, str) and digest else ""
        return (f"weights {name!r} are neither registered nor installed here (the run's --model file, or a name "
                f"installed where it ran): give that .safetensors file{held} to --model in place of {name}, or "
                f"copy it to {weights.path_for(name)}")
    content, sha256 = record.get("weights_content_sha256"), record.get("weights_sha256")
    try:
        same = weights.store.matches(Path(path), content_sha256=content if isinstance(content, str) else "",
                                     sha256=sha256 if isinstance(sha256, str) else "")
    except WeightsError as e:
        return f"{e}; the command will fail on it"
    if same is False:
        return f"{where} holds other weights than the run's (a hash differs from the record's): " \
               "the command will not make the same image"
    return None


def _model_file(record: dict) -> str | None:
    """The --model file the command names: a finished run's "model_path", an interrupted one's "model"."""
    from jaxart.weights import is_path

    path = record.get("model_path") or record.get("model")
    return path if isinstance(path, str) and is_path(path) else None


def caveats(record: dict, shape: tuple[int, int] | None = None) -> list[str]:
    """Why the command's image may differ from this one though every input is as recorded.
    `shape`, the image's (height, width), lets it tell whether --conv auto computes here as it did."""
    notes = []
    if "sheet" in record:
        notes.append(f"this is a tile of sweep {record['sheet']}; stylize runs it alone, which gives close but not "
                     "identical pixels (a batched run rounds differently, and L-BFGS amplifies it)")
    if "interrupted" in record:
        notes.append(f"this run was interrupted at step {record.get('step', '?')}; the command runs every step "
                     "(`jaxart stylize --resume` continues its checkpoint instead)")
    if (note := _conv_here(record, shape)) is not None:
        notes.append(note)
    return notes


def _conv_here(record: dict, shape: tuple[int, int] | None) -> str | None:
    """A note when this machine would take the image gradient's Winograd products in another dtype.

    The command keeps --conv as given, not as resolved. "auto" chooses Winograd layer by layer (by
    channels and pixels) and bfloat16 products by the CPU's instructions; no other choice names that
    set of layers, so pinning "winograd" or "direct" would change more than it keeps. Winograd and
    XLA's own agree to ~1e-5, no closer than two CPUs' XLA code to each other, whereas bfloat16
    products move the gradient by up to 1.5%, which L-BFGS carries into visible pixels: that one
    difference is said, with the choice that avoids it where that choice is cheap here (pinning
    winograd-bf16 on a CPU without bfloat16 instructions would be emulated, slowly).
    """
    from jaxart import convs, layers, margin, scales

    recorded = record.get("gradient_products")
    if shape is None or recorded not in ("float32", "bfloat16"):
        return None
    config = _config(record)
    seen = margin.padded_shape((*shape, 3), config.margin)
    here = convs.run_gradient(config.conv, layers.CHANNELS, seen, int(scales.deepest(config)[0][4]))
    if here == recorded:
        return None
    if recorded == "bfloat16":
        return ("this run took its image gradient's Winograd products in bfloat16 (--conv auto, on a CPU with "
                "bfloat16 instructions); here they are float32: close but not identical pixels")
    return ("this run took its image gradient's products in float32; here --conv auto takes them in bfloat16 "
            "(this CPU has bfloat16 instructions): add --conv winograd to keep them float32, as the run did")
