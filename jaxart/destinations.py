"""Where a stylize run writes, checked before any work: the output, its frames and checkpoint,
the animation. None may replace an input, and none an existing file without --overwrite."""

from __future__ import annotations

import glob
import re
from pathlib import Path

from jaxart import animate, checkpoint
from jaxart.errors import InputError, probe_folder
from jaxart.output import SUFFIXES


def check_output(path: Path, fmt: str = "png", *, overwrite: bool = False, flag: str = "--output") -> None:
    """Fail before any work if `path` cannot be written as `fmt`; create a missing folder. Errors
    advise on `flag`, the option that named the path.

    The folder is probed by creating (and removing) a file in it, which also catches
    read-only file systems that permission bits do not show.
    """
    suffixes = SUFFIXES[fmt]
    if path.suffix.lower() not in suffixes:
        raise InputError(f"output {path} must end in {' or '.join(suffixes)} for --format {fmt}")
    if path.is_dir():
        raise InputError(f"output {path} is a folder; give a file name ending in {suffixes[0]}")
    if path.exists() and not overwrite:
        raise InputError(f"output {path} already exists; pass --overwrite to replace it or choose another {flag}")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise InputError(f"output folder {parent} is a file, not a folder; choose another {flag}")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"output folder {parent} does not exist and cannot be created ({e.strerror}); "
                         f"choose another {flag}") from None
    try:
        probe_folder(parent)
    except OSError as e:
        raise InputError(f"output folder {parent} is not writable ({e.strerror}); choose another {flag}") from None


def _existing(paths) -> set[Path]:
    """The resolved paths of those of `paths` (paths or None) that exist."""
    return {Path(p).resolve() for p in paths if p is not None and Path(p).exists()}


def check_not_input(outputs, inputs) -> None:
    """Refuse to write any of `outputs` over one of the `inputs` (paths or None), even with --overwrite."""
    sources = _existing(inputs)
    for out in outputs:
        if out is not None and Path(out).resolve() in sources:
            raise InputError(f"output {out} is one of the inputs; choose another output (--overwrite never "
                             "replaces an input)")


def check_animation(path: Path, *, overwrite: bool = False) -> None:
    """Fail before any work if the `--animate` file cannot be written: suffix, existing file, folder."""
    animate.check_suffix(path)
    if path.is_dir():
        raise InputError(f"animation {path} is a folder; give a file name ending in {path.suffix}")
    if path.exists() and not overwrite:
        raise InputError(f"animation {path} already exists; pass --overwrite to replace it or choose another --animate")
    check_output(path.with_suffix(".png"), overwrite=True, flag="--animate")  # the same folder checks as the output's


def frame(output: Path, step: int, fmt: str = "png") -> Path:
    """Where `--save-every` writes the image at `step`: OUT.png -> OUT_00100.png."""
    return output.with_name(f"{output.stem}_{step:05d}{SUFFIXES[fmt][0]}")


def check_beside(output: Path, fmt: str, steps: int, save_every: int, inputs, *,
                 overwrite: bool = False, after: int = 0) -> None:
    """Fail before any work if a `--save-every` frame (of the steps after `after`) or the
    checkpoint beside `output` would replace an input, or a frame an existing file without
    `overwrite`. Only the files already there are looked at, however many steps the run has."""
    sources, ckpt = _existing(inputs), checkpoint.path_for(output)
    if ckpt.resolve() in sources:
        raise InputError(f"the checkpoint {ckpt} would replace one of the inputs; choose another --output")
    if not save_every:
        return
    pattern = re.compile(rf"{re.escape(output.stem)}_(\d{{5,}}){re.escape(SUFFIXES[fmt][0])}")
    for path in sorted(output.parent.glob(f"{glob.escape(output.stem)}_*")):
        match = pattern.fullmatch(path.name)
        step = int(match[1]) if match else 0
        if not (match and path == frame(output, step, fmt) and after < step < steps and step % save_every == 0):
            continue
        if path.resolve() in sources:
            raise InputError(f"the --save-every frame {path} would replace one of the inputs; choose another --output")
        if path.is_dir() or not overwrite:
            raise InputError(f"the --save-every frame {path} already exists; pass --overwrite to replace it "
                             "or choose another --output")
