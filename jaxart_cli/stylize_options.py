"""`jaxart stylize`'s own options, each declared once with its help (those it shares with sweep are in options.py);
the command gives the defaults in its signature, as Typer reads them from there."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from jaxart import config
from jaxart_cli.options import Optimizer
from jaxart_cli.parsers import to_read, word_or_file
from jaxart_cli.paths import animation_path, home, output_path
from jaxart_cli.values import choices, number, whole

Loop = choices("Loop", config.LOOPS)

Styles = Annotated[Optional[list[Path]], typer.Argument(
    metavar="STYLE", help="One or more paintings (not with --resume).", show_default=False,
    parser=to_read("the path of an image file", argument=True), callback=home)]
Output = Annotated[Optional[Path], typer.Option(
    "--output", "-o",
    help="Output image [default: CONTENT_STYLE.png, STYLE every painting's name joined by +; or the checkpoint's].",
    parser=output_path, metavar="<path>", callback=home)]
Overwrite = Annotated[bool, typer.Option(help="Replace an existing output.")]
Resume = Annotated[Optional[Path], typer.Option(
    help="Continue the run in this checkpoint (it names the content, styles, model and options).",
    parser=to_read("the path of a checkpoint"), metavar="<path>", callback=home)]
CheckpointEvery = Annotated[int, typer.Option(
    parser=whole, help="Write OUTPUT.ckpt.npz every N steps (0: only on Ctrl-C/SIGTERM/SIGHUP), for --resume; "
                       "it is removed once the finished image is written.")]
Model = Annotated[str, typer.Option(
    help="auto (vgg19 if available, else vgg16-hed), a registered name or a .safetensors path.",
    parser=word_or_file("auto, a model name or a .safetensors path", ("auto",)), callback=home)]
Size = Annotated[Optional[int], typer.Option(
    parser=whole, help="Long side of the output in pixels (default 512, or the last of --scales).",
    show_default=False)]
Seed = Annotated[int, typer.Option(parser=whole, help="Seed for --init random.")]
OptimizerOption = Annotated[Optimizer, typer.Option(
    help="lbfgs (L-BFGS, the paper's) or adam (takes --learning-rate).")]
Init = Annotated[str, typer.Option(
    help="Starting pixels: content (the photo), random (noise from --seed) or an image's path.",
    parser=word_or_file("content, random or an image file's path", listed=config.INITS), callback=home)]
ContentWeight = Annotated[float, typer.Option(parser=number, help="Weight of the content loss.")]
StyleWeight = Annotated[float, typer.Option(
    parser=number,
    help="Weight of the style loss: higher paints more of the painting over the photo (at 256 px, 150 steps: 1 "
         "a light texture on the photo, 100 strongly painted, the scene still clear).")]
TvWeight = Annotated[float, typer.Option(
    parser=number, help="Weight of the total-variation (smoothness) loss; 0 gives crisper, grainier pixels.")]
StyleBlend = Annotated[Optional[str], typer.Option(
    help="Comma-separated weights of the paintings, one each, e.g. 0.7,0.3 [default: equal].")]
LoopOption = Annotated[Loop, typer.Option(
    help="How steps run: python (one jitted step at a time), scan (chunks of steps in one XLA loop) or auto "
         "(python on CPU, scan elsewhere).")]
SaveEvery = Annotated[int, typer.Option(
    parser=whole, help="Write OUTPUT_NNNNN.png (or .tif) every N steps (0: never).")]
Animate = Annotated[Optional[Path], typer.Option(
    help="Also write the optimization as an animation (.gif or .webp), a frame every --save-every steps "
         "(else every steps/24 steps: 24 frames or more; 201 at most).",
    parser=animation_path, metavar="<path>", callback=home)]
DryRun = Annotated[bool, typer.Option(
    "--dry-run",
    help="Check everything and say the run's size, steps, memory against what is free, the files it would write "
         "or replace and the weights it would download, then stop: no weights load, nothing runs or is written.")]
