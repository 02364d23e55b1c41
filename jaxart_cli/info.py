"""`jaxart info`: the run record a jaxart image carries, or the stylize command that makes it again."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated

import typer

from jaxart_cli.common import echo as _echo, say as _say, warn as _warn
from jaxart_cli.parsers import to_read
from jaxart_cli.paths import home as _home


def info(
    image: Annotated[Path, typer.Argument(
        metavar="IMAGE", help=(
            "A PNG or TIFF jaxart wrote: a run's image or frame, or a sweep's tile or contact sheet. Of a checkpoint "
            "(OUT.ckpt.npz), what it holds as JSON (kind, step, steps, output, config, inputs, and `resume`, the "
            "--resume that continues it; `resumable`, whether that --resume would go on now, else `refused`, its "
            "refusal; with --command, that --resume alone), which run that is on stderr, with the refusal."),
        parser=to_read("the path of a PNG or TIFF jaxart wrote", argument=True), callback=_home)],
    command: Annotated[bool, typer.Option("--command", help=(
        "Print instead the `jaxart stylize` command that makes this image again (of a sweep's tile too; of its "
        "contact sheet, the `jaxart sweep` command), to a new name beside it (IMAGE-2.png, else the first free of "
        "IMAGE-3.png, ...); a warning names an input or the weights when gone or changed, or another commit, jax "
        "or CPU running it. Of a checkpoint, the `jaxart stylize --resume` (or `jaxart sweep --resume`) that "
        "continues its run."))] = False,
) -> None:
    """Print the run record embedded in a jaxart PNG or TIFF, or with --command the command that makes it again; of
    a checkpoint, its metadata and its --resume."""
    from jaxart.image_record import CheckpointGiven, read_record
    from jaxart.output import written_format

    try:
        record = read_record(image, _warn)
    except CheckpointGiven as given:  # a file jaxart wrote, named in its interruption's line: no error to ask of it
        from jaxart import resumable

        from jaxart_cli.options import FLAGS

        refused = resumable.refusal(image)  # before the command is typed: the checks --resume makes, nothing run
        refused = refused and refused.naming(FLAGS)  # as the command's error says it: --overwrite, not overwrite=True
        if not command:  # JSON on stdout, as an image's record is (`| jq`), the words beside it on stderr
            _say(given.line, err=True)
        for note in (f"--resume would refuse it now: {refused}" if refused else None,
                     *resumable.notes(image, given.record)):
            if note:
                _warn(note)
        fit = {"resumable": refused is None} | ({"refused": refused} if refused else {})
        _echo(shlex.join(given.resume) if command else json.dumps(given.record | fit, indent=2, sort_keys=True))
        return
    from jaxart import record_paths

    if note := record_paths.note(record):  # of a record without paths, written with --record no-paths
        _warn(note)
    if not command:
        _echo(json.dumps(record, indent=2, sort_keys=True))
        return
    from jaxart import reproduce, reproduce_checks as checks

    output = reproduce.destination(record, image)  # a new name: the command runs as printed, the image stays
    if "tiles" in record:  # a sweep's contact sheet: the sweep command, and its tiles' shape
        from jaxart import reproduce_sweep

        argv, shaped = reproduce_sweep.command(record, image.resolve(), output), reproduce_sweep.tile(image, record)
    else:
        argv, shaped = reproduce.command(record, output, written_format(image)), image
    shape = None if shaped is None else _shape(shaped)
    for note in (*checks.caveats(record, shape), checks.changed_inputs(record), checks.changed_weights(record)):
        if note:
            _warn(note)
    _echo(shlex.join(argv))


def _shape(path: Path) -> tuple[int, int] | None:
    """The (height, width) the header of the image at `path` gives, the shape --conv auto chose by: read with Pillow's
    pixel limit lifted, as nothing is decoded (an image over it was a DecompressionBombError's traceback); None where
    it cannot be opened (a damaged tile), as where it is gone."""
    from PIL import Image

    from jaxart import pixel_limit

    try:
        with pixel_limit.lifted(), Image.open(path) as im:
            return im.height, im.width
    except Exception:  # noqa: BLE001 - any unreadable file: no shape to judge by
        return None
