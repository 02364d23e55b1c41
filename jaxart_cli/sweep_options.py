"""`jaxart sweep`'s own options, each declared once with its help (those it shares with stylize are in options.py);
the command gives the defaults in its signature, as Typer reads them from there."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from jaxart_cli.options import DEFAULT, STYLE_SCALES, Optimizer
from jaxart_cli.parsers import to_read, word_or_file
from jaxart_cli.paths import home, sheet_path
from jaxart_cli.sweep_values import swept
from jaxart_cli.values import whole
from jaxart.config import INITS

SIZE = 256  # a sweep's default --size, below stylize's: it makes an image per setting

Styles = Annotated[Optional[list[Path]], typer.Argument(
    metavar="STYLE",
    help="One or more paintings: blended into one style for every tile (--style-blend weighs them), or, with "
         "--each-painting, compared: each painting its own tiles. Not with --region-style, which names them.",
    show_default=False, parser=to_read("the path of an image file", argument=True), callback=home)]
Output = Annotated[Path, typer.Option(
    "--output", "-o", help="Contact sheet PNG; the HTML page and single images go beside it.",
    parser=sheet_path, metavar="<path>", callback=home)]
StyleWeights = Annotated[Optional[list[str]], swept(
    "Comma-separated style weights", DEFAULT.style_weight)]
ContentWeights = Annotated[Optional[list[str]], swept(
    "Comma-separated content weights", DEFAULT.content_weight)]
TvWeights = Annotated[Optional[list[str]], swept("Comma-separated TV weights", DEFAULT.tv_weight)]
Seeds = Annotated[Optional[list[str]], swept(
    "Comma-separated seeds; more than one needs --init random (a seed only sets a random start)",
    DEFAULT.seed)]
Model = Annotated[str, typer.Option(
    help="auto, a registered name or a .safetensors path.",
    parser=word_or_file("auto, a model name or a .safetensors path", ("auto",)), callback=home)]
Size = Annotated[Optional[int], typer.Option(
    parser=whole, help=f"Long side of each image in pixels (default {SIZE}, or the last of --scales).",
    show_default=False)]
OptimizerOption = Annotated[Optimizer, typer.Option(help="lbfgs or adam.")]
Init = Annotated[str, typer.Option(
    help="content, random, or the path of an image.",
    parser=word_or_file("content, random or an image file's path", listed=INITS), callback=home)]
StyleLayerWeightSets = Annotated[Optional[list[str]], typer.Option(
    help="Comma-separated weights, one per style layer (0 turns one off); ';' between alternatives, each its own "
         "tiles (\"1,1,1,1,1;1,0,0,0,0;0,0,0,0,1\": all, the first alone, the last alone); repeated, its "
         "alternatives add up [default: equal].", metavar="<str>", show_default=False)]
StyleBlend = Annotated[Optional[str], typer.Option(
    help="Comma-separated weights of the paintings, one each, for every tile [default: equal].",
    show_default=False)]
EachPainting = Annotated[bool, typer.Option(
    "--each-painting",
    help="Compare the paintings: each STYLE paints its own tiles alone (one per combination of the other swept "
         "values, the paintings side by side in each row, or the --style-layer-weights alternatives where "
         "several are given) instead of all blended into every tile. Not with --style-blend, --mask or "
         "--region-style.")]
StyleScales = Annotated[Optional[list[str]], swept(STYLE_SCALES, DEFAULT.style_scale)]
ShrinkBatch = Annotated[bool, typer.Option(
    "--shrink-batch",
    help="Once at least half the tiles have stopped (--tolerance, or a loss that became NaN or inf: without "
         "--tolerance only those), step the others in a batch of their own, so a stopped tile is not computed "
         "again. Each smaller batch compiles once more, and the running tiles round as a smaller batch does: "
         "their loss may differ by ~0.1-0.5%.")]
Columns = Annotated[Optional[int], typer.Option(
    parser=whole,
    help="Tiles per row of the sheet, kept however wide [default: one row for each value of the settings that "
         "vary slowest, split evenly into rows that fit 1600 px].", show_default=False)]
Overwrite = Annotated[bool, typer.Option(
    help="Replace existing outputs, and remove the single images of an earlier sweep to this --output that this "
         "one does not replace (a larger sweep's, or another --format's).")]
Resume = Annotated[Optional[Path], typer.Option(
    help="Continue the interrupted sweep in this checkpoint (GRID.ckpt.npz; it names the inputs and options).",
    parser=to_read("the path of a checkpoint"), metavar="<path>", callback=home)]
CheckpointEvery = Annotated[int, typer.Option(parser=whole, help="Write GRID.ckpt.npz every N steps (0: only on "
    "Ctrl-C/SIGTERM/SIGHUP), for --resume; it is removed once the sheet, page and images are written.")]
DryRun = Annotated[bool, typer.Option(
    "--dry-run",
    help="Check everything and say how many settings the sweep has, its memory and the files it would write, "
         "then stop: no weights load, nothing runs or is written.")]
