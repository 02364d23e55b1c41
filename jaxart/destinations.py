"""Where a stylize run writes, checked before any work: the output, its frames and checkpoint, the animation.
None may replace an input, and none an existing file without overwrite=True. Each refusal names the settings it
advises on (`InputError.settings`: "overwrite", "output path"), which the CLI's line names as its flags. And what a
run would replace or remove there (`changes`), which a dry run says."""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path
from typing import NamedTuple

from jaxart import animate, checkpoint
from jaxart.errors import InputError
from jaxart.files import unreplaceable
from jaxart.paths import check_path, resolved, taken, windows_path
from jaxart.probe import nearest, probe_folder, why_not
from jaxart.formats import SUFFIXES, check_file_name, check_named, suffixed
from jaxart.frames import frame, replaced
from jaxart.output_names import check_derived, check_names, name_limit


def check_output(path: Path, fmt: str = "png", *, overwrite: bool = False, resumable: bool = False) -> None:
    """Fail before any work if `path` cannot be written as `fmt`; errors advise choosing another "output path".
    With `resumable` (a new stylize run), an existing `path` beside its checkpoint is advised on as an
    interrupted run to continue. Creates nothing: a missing folder is made when the file is written."""
    flag = "output path"
    suffixes = SUFFIXES[fmt]
    check_names([("output", path)], flag)  # first: a name too long is an OSError from any look at the path
    if why := windows_path(path):  # else a file named `C:\Users\me\out.png` appeared in the current folder
        raise InputError(f"output {why}", settings=[flag])
    check_file_name(path, fmt)
    if path.suffix.lower() not in suffixes:
        raise InputError(f"output {path} must end in {' or '.join(suffixes)} for format {fmt}", settings=["format"])
    check_not_special(path, "output", flag)
    if os.path.lexists(path) and not overwrite:  # a dangling link too: the rename would not replace it
        ckpt = checkpoint.path_for(path)
        if resumable and ckpt.is_file():
            raise InputError(f"output {path} already exists, and so does {ckpt}, where an interrupted run to it "
                             f"stopped; continue that run with `jaxart stylize --resume {shlex.quote(str(ckpt))}`, "
                             "or pass overwrite=True to start again (which discards the checkpoint)",
                             settings=["overwrite"])
        raise InputError(f"output {path} {taken(path)}; pass overwrite=True to replace it or choose another "
                         f"{flag}", settings=["overwrite", flag])
    check_folder(path.parent, flag)
    if os.path.isfile(path) and (why := unreplaceable(path)):  # else the run fails at its end, its work lost
        raise InputError(f"output {path} cannot be replaced: {why}; choose another {flag}", settings=[flag])


def check_not_special(path: Path, what: str = "output", flag: str = "output path") -> None:
    """Refuse, with overwrite too, a device, FIFO or socket (or a link to one): the final rename replaced it."""
    mode = os.stat(path).st_mode if os.path.exists(path) else stat.S_IFREG
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a folder has its own message
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise InputError(f"{what} {path} is {kind}, not a file; jaxart never replaces one: choose another {flag}",
                         settings=[flag, "save_every"])


def check_folder(folder: Path, flag: str, what: str = "output folder") -> Path:
    """The nearest existing folder at or above `folder`, once a file could be created and removed there
    (so a read-only file system too). Creates nothing; the folders it would create must have names the
    file system allows."""
    here = nearest(folder)
    for part in Path(folder).absolute().relative_to(here).parts:
        if len(os.fsencode(part)) > name_limit(here):
            raise InputError(f"{what} {folder}: the folder name {part[:32]}... would be {len(os.fsencode(part))} "
                             f"bytes, more than the {name_limit(here)} its file system allows; choose a shorter "
                             f"{flag}", settings=[flag])
    try:
        return probe_folder(folder)
    except NotADirectoryError as e:  # a link to nothing was "a file": mkdir fails there as it does on one
        thing = "a link to nothing" if os.path.islink(e.filename) and not os.path.exists(e.filename) else "a file"
        raise InputError(f"{what} {folder}: {e.filename} is {thing}, not a folder; choose another {flag}",
                         settings=[flag]) from None
    except OSError as e:
        why = why_not(e)
        if Path(e.filename) == Path(folder).absolute():
            raise InputError(f"{what} {folder} is not writable ({why}); choose another {flag}",
                             settings=[flag]) from None
        raise InputError(f"{what} {folder} does not exist and cannot be created in {e.filename} ({why}); "
                         f"choose another {flag}", settings=[flag]) from None


def _existing(paths) -> set[Path]:
    """The resolved paths of those of `paths` (paths or None, input files) that exist."""
    for p in paths:  # exists() raised a bare OSError for a name too long, and took a link loop for no file
        if p is not None:
            check_path(p, "input file")
    return {Path(p).resolve() for p in paths if p is not None and Path(p).exists()}


def check_not_input(outputs, inputs, *, what: str = "output", flag: str = "output") -> None:
    """Refuse any of `outputs` (called `what`, advised on as `flag`) over one of the `inputs`, even with
    overwrite=True."""
    sources = _existing(inputs)
    for out in outputs:
        if out is not None and resolved(out) in sources:
            raise InputError(f"{what} {out} is one of the inputs; choose another {flag} (overwrite=True never "
                             "replaces an input)", settings=[flag, "overwrite"])


def check_animation(path: Path, *, overwrite: bool = False, inputs=()) -> None:
    """Fail before any work if the animation cannot be written: one of the `inputs` (paths or None), a
    folder, no or another suffix, an existing file, an unusable folder. Errors advise on its path
    (--animate), not the output's."""
    check_not_input([path], inputs, what="animation", flag="animation path")
    if why := windows_path(path):  # else a file so named, or a folder "C:", in the current folder
        raise InputError(f"animation {why}", settings=["animation path"])
    # The folder first, as formats.check_file_name: a folder's name seldom has a suffix,
    # and that is not what is wrong.
    if os.path.isdir(path):  # os.path's: False, not an OSError, for a name too long to look at
        raise InputError(f"animation {path} is a folder; give a file name in it, such as {Path(path) / 'out.gif'}")
    check_named(path, animate.FORMATS, what="animation")  # `--animate "$NAME.gif"`, NAME empty: not ".gif.gif"
    if not Path(path).suffix:  # often a folder to write into, whose trailing slash Path() dropped
        folder = f", or {Path(path) / 'out.gif'} to write into a folder {Path(path).name}"
        raise InputError(f"animation {path} has no suffix; give a file name such as {suffixed(path, '.gif')}"
                         f"{'' if str(path).endswith('.') else folder} (.gif or .webp)")
    animate.check_suffix(path)
    check_names([("animation", path)], "animation path")
    check_not_special(path, "animation", "animation path")
    if os.path.lexists(path) and not overwrite:
        raise InputError(f"animation {path} {taken(path)}; pass overwrite=True to replace it or choose another "
                         "animation path", settings=["overwrite", "animation path"])
    check_folder(path.parent, "animation path", what="animation folder")


def check_beside(output: Path, fmt: str, steps: int, save_every: int, inputs, *, overwrite: bool = False,
                 after: int = 0, resuming: Path | None = None, checkpoint_every: int = 0) -> None:
    """Fail before any work if a frame (after step `after`) or the checkpoint beside `output` would replace
    an input, FIFO or device, or a frame a file without `overwrite`; or another run's checkpoint (not
    `resuming`'s, continued)."""
    for name, every in (("save_every", save_every), ("checkpoint_every", checkpoint_every)):  # -1, True: every step
        if not hasattr(every, "__index__") or isinstance(every, bool) or every < 0:
            raise InputError(f"{name} must be a whole number of steps, 0 (never) or more, got {every!r}",
                             settings=[name])
    sources, ckpt = _existing(inputs), checkpoint.path_for(output)
    frames = [("save_every frame", frame(output, steps, fmt))] if save_every else []
    check_derived(output, [("checkpoint", ckpt), *frames])
    check_not_special(ckpt, "checkpoint")  # --overwrite or not: the run put its checkpoint in a FIFO's place
    if resolved(ckpt) in sources:  # on every Python, a link loop is refused as such (`resolved`)
        raise InputError(f"the checkpoint {ckpt} would replace one of the inputs; choose another output path",
                         settings=["output path"])
    if ckpt.is_dir():
        raise InputError(f"a folder, {ckpt}, is where this run keeps its checkpoint; move that folder away or "
                         "choose another output path", settings=["output path"])
    # Outputs of one stem share it (OUT.png, OUT.tif): this run would replace or remove the other's. Before the
    # frames: a SIGKILL leaves them beside the checkpoint, and `--resume`, not overwrite, is what to advise.
    if os.path.lexists(ckpt) and not overwrite and not (resuming and resolved(ckpt) == Path(resuming).resolve()):
        if (there := taken(ckpt)) != "already exists":  # a link to nothing: no run to continue there
            raise InputError(f"{ckpt}, where this run keeps its checkpoint, {there}; pass overwrite=True to replace "
                             "it, or choose another output path", settings=["overwrite", "output path"])
        raise InputError(f"{ckpt} already exists where this run keeps its checkpoint; if an interrupted run left "
                         f"it, continue that run with `jaxart stylize --resume {shlex.quote(str(ckpt))}`; else pass "
                         "overwrite=True to replace it, or choose another output path",
                         settings=["overwrite", "output path"])
    if save_every:
        _check_frames(output, fmt, steps, save_every, sources, overwrite, after)


def _check_frames(output: Path, fmt: str, steps: int, every: int, sources: set[Path], overwrite: bool,
                  after: int) -> None:
    """`check_beside`'s frames: only the files already there are looked at, however many steps."""
    for path in replaced(output, fmt, steps, every, after):
        if resolved(path) in sources:
            raise InputError(f"the save_every frame {path} would replace one of the inputs; choose another output "
                             "path", settings=["save_every", "output path"])
        check_not_special(path, "the save_every frame")
        if path.is_dir() or not overwrite:
            raise InputError(f"the save_every frame {path} already exists; pass overwrite=True to replace it or "
                             "choose another output path", settings=["save_every", "overwrite", "output path"])


class Changes(NamedTuple):
    """What a stylize run would do to the files beside its output (`changes`)."""

    checkpoint: Path | None  # the checkpoint it writes every checkpoint_every steps
    replaced: list[Path]  # of the output, the animation and that checkpoint, those already there
    frames_replaced: int  # save_every frames there that it writes again
    frames_removed: int  # an earlier run's frames that overwrite removes
    # the checkpoint it resumes (beside the output, or renamed), or that --overwrite gives up: removed once it is
    # written
    removed_after: list[Path]


def running_checkpoint(output: Path, checkpoint_every: int, steps: int, resumed: bool) -> Path | None:
    """The checkpoint a new run (or sweep) of `steps` to `output` writes every `checkpoint_every` steps and removes once
    its files are written, as its dry run names it; kept only before the last step (`notes.checkpoint_note`), so an
    interval of `steps` or more writes none."""
    return checkpoint.path_for(output) if 0 < checkpoint_every < steps and not resumed else None


def changes(output: Path, fmt: str, steps: int, *, save_every: int = 0, animation: Path | None = None,
            checkpoint_every: int = 0, overwrite: bool = False, resumed: tuple[Path, dict] | None = None) -> Changes:
    """What a run of `steps` to `output` would write, replace and remove, before it runs, as `job.stylize_files`
    decides it: `resumed`, the checkpoint it continues and its metadata, whose run's frames of this output stay its
    own and whose overwrite it takes (`resume.taken_over`); its checkpoint goes once the image is written."""
    from jaxart.frames import stale_frames
    from jaxart.resume import taken_over

    after = resumed[1]["step"] if resumed else 0
    same, overwrite, own = taken_over(resumed[1] if resumed else None, output, overwrite)
    ckpt = running_checkpoint(output, checkpoint_every, steps, bool(resumed))
    there = [Path(p) for p in (output, animation, ckpt) if p is not None and os.path.lexists(p)]
    frames_replaced = len(replaced(output, fmt, steps, save_every, after)) if save_every else 0
    removed = len(stale_frames(output, fmt, steps, save_every, own)) if overwrite else 0
    beside = checkpoint.path_for(output)
    # The one beside the output goes too where --overwrite gives it up (not the one this run writes, `ckpt`).
    gone = ([beside] * os.path.lexists(beside) if resumed or overwrite and ckpt is None else []) + (
        [Path(resumed[0])] * (os.path.abspath(resumed[0]) != os.path.abspath(beside)) if same else [])  # renamed
    return Changes(ckpt, there, frames_replaced, removed, gone)
