"""Options `jaxart stylize` and `jaxart sweep` share: each declared once (its help and choices) and parsed
once (`fixed`, `sizes`), so a sweep holds fixed across its grid exactly what a stylize run sets. Each command
gives the defaults, `DEFAULT`'s, in its own signature, as Typer reads them from there."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from jaxart_cli.parsers import to_read
from jaxart_cli.paths import home
from jaxart_cli.values import choices, csv, number, whole
from jaxart import color, config, convs, formats, layers, plateau as _plateau, record_paths, reproduce

DEFAULT = config.StyleConfig()
# What stylize and sweep say when given no photo (stylize: nor any painting), in one wording.
NOTHING_TO_PAINT = "give the CONTENT photo and at least one STYLE painting, or --resume CHECKPOINT"


# The flag a user types for each word a library refusal names (`InputError.settings`), which the CLI's line writes
# instead (`jaxart_cli.errors.run`, `tolerance`): the one table of them. A StyleConfig field's is the library's
# `reproduce.OPTIONS` (it rebuilds a stylize command from a run record: `jaxart info --command`); the words for a
# run's arguments (`job.stylize_files`, judged by `destinations`), a sweep's and a tolerance are the CLI's alone.
# tests/test_cli_flag_table.py holds every word a refusal names to an entry here, and each entry to a real option.
FLAGS = {**reproduce.OPTIONS, "overwrite": "--overwrite", "output_path": "--output", "animation_path": "--animate",
         "save_every": "--save-every", "checkpoint_every": "--checkpoint-every", "format": "--format",
         "seeds": "--seed", "shrink_batch": "--shrink-batch", "tolerance": "--tolerance",
         "grid's_paintings": "--each-painting", "resume": "--resume",
         "region_colors_{}_and_its_painting": "--region-style {}=PAINTING"}


Content = Annotated[Optional[Path], typer.Argument(
    metavar="CONTENT", help="The photo (not with --resume).", show_default=False,
    parser=to_read("the path of an image file", argument=True), callback=home)]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary; warnings are still said.")]

Optimizer = choices("Optimizer", config.OPTIMIZERS)
LineSearch = choices("LineSearch", config.LINESEARCHES)
Pooling = choices("Pooling", layers.POOLINGS)
Conv = choices("Conv", convs.CONVS)
Colors = choices("Colors", color.MODES)
Format = choices("Format", formats.FORMATS)

ContentLayers = Annotated[Optional[str], typer.Option(
    help=f"VGG layers that keep the photo's content, comma-separated [default: {','.join(DEFAULT.content_layers)}].")]
StyleLayers = Annotated[Optional[str], typer.Option(
    help="VGG layers whose Gram matrices carry the style, comma-separated "
         f"[default: {','.join(DEFAULT.style_layers)}].")]
StyleLayerWeights = Annotated[Optional[str], typer.Option(
    help="Comma-separated weights, one per style layer [default: equal].")]
PoolingOption = Annotated[Pooling, typer.Option(
    help="VGG's pooling: max (as trained) or avg (the paper's, which it found slightly more appealing).")]
LineSearchOption = Annotated[LineSearch, typer.Option(
    help="L-BFGS line search: none (unit step, fastest on CPU) or zoom.")]
LbfgsMemory = Annotated[int, typer.Option(parser=whole,
    help="L-BFGS history pairs: more reach a given loss in somewhat fewer steps, at 2 image-sized vectors of memory "
         "each (jcjohnson's default is 100).")]
LearningRate = Annotated[float, typer.Option(parser=number, help="Adam's step size (L-BFGS ignores it).")]
ColorsOption = Annotated[Colors, typer.Option(
    help="Whose colours: style (the painting's); luminance (the photo's; strokes learnt from the painting's light "
         "and dark alone); match-pca|match-chol|match-sym (the photo's palette, painted: the painting recoloured to "
         "it first); keep (the photo's, put back on a style run). See README, Controls.")]
MatchLuminance = Annotated[bool, typer.Option(
    help="With --colors luminance: scale the painting's luminance to the photo's mean and deviation first (Gatys et "
         "al.); --no-match-luminance keeps the painting's own stroke contrast.")]
_STYLE_SCALE = "Painting's size relative to the output: 0.5 gives fainter strokes, 2 bolder ones"
StyleScale = Annotated[float, typer.Option(parser=number, help=f"{_STYLE_SCALE}.")]
STYLE_SCALES = f"Comma-separated style scales (the {_STYLE_SCALE[0].lower()}{_STYLE_SCALE[1:]})"  # a sweep's
Margin = Annotated[int, typer.Option(parser=whole,
    help="Free pixels optimized around the image (started from the photo mirrored outwards) and cut off at the end, "
         "so no line forms along the border; 0: the image alone, as the paper.")]
ConvOption = Annotated[Conv, typer.Option(
    help="Convolutions: winograd (stages 2-5 by Winograd F(4x4,3x3): faster on CPU, a little more memory), "
         "winograd-bf16 (the same, the gradient's products in bfloat16: faster on CPUs with AMX or AVX512-BF16), "
         "direct (XLA's own) or auto (winograd on CPU, winograd-bf16 on those CPUs).")]
Remat = Annotated[bool, typer.Option(
    help="Recompute VGG stages in the backward pass (jax.checkpoint, +33% FLOPs); on CPU it does not lower the peak.")]
# stylize's --output is the image, so its suffix may choose; a sweep's is the contact sheet, a PNG
# whatever the tiles are.
_FORMATS = "png (8-bit), png16 (16-bit PNG) or tiff (16-bit)"
FormatOption = Annotated[Optional[Format], typer.Option(
    "--format", help=f"{_FORMATS} [default: the one --output's suffix names (.png: png, .tif or .tiff: tiff), or the "
                     "checkpoint's].", show_default=False)]
RecordMode = choices("RecordMode", record_paths.MODES)
RecordOption = Annotated[RecordMode, typer.Option(
    "--record", help="How much of the run record the images carry: full (the settings, the inputs' paths and "
                     "sha256, the machine), no-paths (the same, the files named PHOTO, PAINTING, ... instead of their "
                     "folders and names: for a picture you share), or none.")]
TileFormat = Annotated[Format, typer.Option(
    "--format", help=f"The single images': {_FORMATS}, each with its run record as stylize writes it; the contact "
                     "sheet is an 8-bit PNG whatever this is.")]
Background = Annotated[str, typer.Option(
    help="Colour the run sees under transparent pixels (the image written keeps a transparent photo's "
         "transparency): a name, #rrggbb, rgb(r,g,b) or r,g,b.")]
Steps = Annotated[str, typer.Option(
    help="Optimizer steps; with --scales or --start-size one number per scale (e.g. 500,200,100) or one for every "
         "scale.")]
Scales = Annotated[Optional[str], typer.Option(
    help="Coarse to fine: comma-separated long sides, increasing, e.g. 256,512,1024; each scale starts from the "
         "previous result, upsampled.")]
StartSize = Annotated[Optional[int], typer.Option(
    parser=whole, help="Coarse to fine from this long side, doubling up to --size.")]
Mask = Annotated[Optional[Path], typer.Option(
    help="Spatial control: an image over the photo whose colours mark regions, one painting each (--region-style).",
    parser=to_read("the path of a mask image"), metavar="<path>", callback=home)]
_CONVERGED = (f"the total loss fell by less than this fraction over the last {_plateau.WINDOW} steps (tested every "
              f"{_plateau.WINDOW} steps, in the last scale), e.g. 0.001; 0: run every step")


def tolerance(raw) -> float:
    """A Typer parser for --tolerance: `plateau.check_tolerance`, its refusal in the flag's words
    ("Invalid value for --tolerance: 2.0 stops every run at once: ..., e.g. --tolerance 0.001")."""
    from jaxart.errors import InputError

    text = str(raw).strip()
    if text.endswith("%") and text[:-1].replace(".", "", 1).isdigit():  # as the help's "0.1%" reads
        raise ValueError(f"{text} is a percentage; give it as a fraction: --tolerance {float(text[:-1]) / 100:g}")
    try:
        return _plateau.check_tolerance(number(raw))
    except InputError as e:
        raise ValueError(e.naming(FLAGS).removeprefix("--tolerance ")) from None


Tolerance = Annotated[float, typer.Option(
    parser=tolerance,
    help=f"Stop once the picture has converged: when {_CONVERGED}.")]
SweepTolerance = Annotated[float, typer.Option(
    "--tolerance", parser=tolerance,
    help=f"Stop each tile on its own once its picture has converged, as stylize --tolerance stops a run: when "
         f"{_CONVERGED}. A converged tile keeps that step's image while the others go on; the sweep ends once "
         "every tile has stopped.")]
RegionStyle = Annotated[Optional[list[str]], typer.Option(metavar="<COLOUR=PAINTING>",
    help="COLOUR=PAINTING for --mask, repeated: red=starry.jpg, '#0000ff'=scream.jpg (a name, #rrggbb, rgb(r,g,b) "
         "or r,g,b). COLOUR=photo paints nothing there and keeps the photo (a painting file named photo: ./photo).")]


def fixed(*, content_layers: str | None, style_layers: str | None, style_layer_weights: str | None,
          pooling: Pooling, linesearch: LineSearch, lbfgs_memory: int, colors: Colors, match_luminance: bool,
          style_scale: float, margin: int, conv: Conv, remat: bool) -> dict:
    """The `StyleConfig` fields these options give (a comma-separated list checked item by item,
    naming its option); `StyleConfig.validate` judges the values."""
    return dict(
        content_layers=csv(content_layers, "--content-layers") or DEFAULT.content_layers,
        style_layers=csv(style_layers, "--style-layers") or DEFAULT.style_layers,
        style_layer_weights=csv(style_layer_weights, "--style-layer-weights", float),
        pooling=pooling.value, linesearch=linesearch.value, lbfgs_memory=lbfgs_memory, colors=colors.value,
        match_luminance=match_luminance, style_scale=style_scale, margin=margin, conv=conv.value, remat=remat,
    )


def sizes(*, size: int | None, steps: str, scales: str | None, start_size: int | None, default_size: int) -> dict:
    """The `StyleConfig` fields --size, --steps, --scales and --start-size give: the size is the last of
    --scales unless given (else `default_size`), and several --steps counts are one per scale (`scales.py`)."""
    counts, sides = csv(steps, "--steps", int), csv(scales, "--scales", int)
    return dict(size=size if size is not None else (sides or (default_size,))[-1], steps=sum(counts), scales=sides,
                start_size=start_size, scale_steps=counts if len(counts) > 1 else None)


def regions(*, mask: Path | None, region_style: list[str] | None,
            styles: list[Path] | None) -> tuple[dict, list[Path] | None]:
    """The `StyleConfig` fields --mask and --region-style give (the mask's path as typed, the painted and
    the kept region colours), and the paintings: those --region-style names, which take the place of
    STYLE arguments (refused with it). COLOUR=photo keeps the photo there (`region_styles.KEEP`)."""
    from jaxart import region_styles

    if mask is not None and not region_style:  # else a missing-STYLE hint, which misleads
        raise typer.BadParameter("needs a --region-style COLOUR=PAINTING for each colour of the mask, e.g. "
                                 "--region-style red=starry.jpg; the paintings come from --region-style, not STYLE "
                                 "arguments", param_hint="--mask")
    colors, paths, keep = region_styles.parse_region_styles(region_style) if region_style else (None, [], None)
    if keep and not colors:  # else the missing-STYLE line, which misleads
        raise typer.BadParameter(f"every region is {region_styles.KEEP}, so nothing would be painted; give at least "
                                 "one region a painting, e.g. --region-style red=starry.jpg",
                                 param_hint="--region-style")
    if paths:
        if styles:
            raise typer.BadParameter(_styles_beside_regions(styles), param_hint="STYLE")
        styles = home([Path(p) for p in paths])
    fields = dict(mask=str(mask) if mask else None, region_colors=colors, keep_colors=keep or None)
    return fields, styles


def check_together(config, styles: list[Path], tolerance: float) -> None:
    """Refuse options that given together change nothing, as the library does, before any file is read: a
    --tolerance that can never stop the run (`plateau.check_can_stop`), and --style-blend's one weight for one
    painting (`config_checks.style_blend`: the weights are normalized, so `--style-blend 0.5` gave the very pixels of
    no blend, where it was read as "half the style")."""
    from jaxart import config_checks, plateau

    plateau.check_can_stop(config, tolerance)
    config_checks.style_blend(config, len(styles))


def _styles_beside_regions(styles: list[Path]) -> str:
    """The STYLE arguments given with --region-style, named as typed: the refusal was "Invalid value for
    --region-style", an option whose values were fine (or not typed where a STYLE was meant as its value)."""
    import shlex

    typed = [str(p) for p in styles]
    pairs = [t for t in typed if "=" in t]
    if pairs:  # `--region-style red=a.jpg blue=b.jpg`: the option takes one value, blue=b.jpg became a STYLE
        again = " ".join(f"--region-style {shlex.quote(t)}" for t in pairs)
        return (f"{', '.join(pairs)}: a COLOUR=PAINTING needs --region-style before it, e.g. {again} "
                "(the option takes one value each time)")
    each = "it, or give it" if len(typed) == 1 else "them, or give each"
    return (f"{', '.join(typed)} given with --region-style, which names the paintings; drop {each} a region with "
            "--region-style COLOUR=PAINTING")
