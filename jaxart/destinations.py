"""Where a stylize run writes, checked before any work: the output, its frames and checkpoint, the animation.
None may replace an input, and none an existing file without overwrite=True (`_refusal`: the CLI's --overwrite)."""

from __future__ import annotations

import glob
import hashlib
import os
import re
import stat
from pathlib import Path

from jaxart import animate, checkpoint
from jaxart.errors import InputError
from jaxart.files import check_path, nearest, probe_folder, resolved, unreplaceable
from jaxart.output import SUFFIXES, check_file_name

# Room a default output name leaves for the longest name derived from its stem: STEM_00100.png
# frames (a digit more past each power of ten from 100000 steps on), STEM.ckpt.npz.
_DERIVED = 16
FRAME_SUFFIXES = tuple(dict.fromkeys(s[0] for s in SUFFIXES.values()))  # .png, .tif: what frame() ends in


def _refusal(text: str, *words: str) -> InputError:
    """An InputError advising on `words` ("overwrite", "output path"): the CLI's line names its flags instead."""
    return InputError(text, settings=words)


def default_output(content: Path, styles, fmt: str = "png", folder: Path = Path(".")) -> Path:
    """CONTENT_STYLE.png (.tif for tiff), every painting's stem joined by "+" (a blend's too). Cut to fit `folder`'s
    name limit with room for the names derived beside it, a cut name ends in a hash of the whole: two never collide."""
    stem = f"{Path(content).stem}_{'+'.join(Path(s).stem for s in styles)}"
    room = name_limit(folder) - _DERIVED
    if len(os.fsencode(stem)) > room:
        digest = "-" + hashlib.sha256(os.fsencode(stem)).hexdigest()[:8]
        while len(os.fsencode(stem + digest)) > room:
            stem = stem[:-1]
        stem += digest
    return Path(stem + SUFFIXES[fmt][0])


def check_output(path: Path, fmt: str = "png", *, overwrite: bool = False, flag: str = "output path",
                 resumable: bool = False) -> None:
    """Fail before any work if `path` cannot be written as `fmt`. Errors advise on `flag`, what names the path (a
    bench option's flag); with `resumable` (a new stylize run), an existing `path` beside its checkpoint is advised
    on as an interrupted run to continue. Creates nothing: a missing folder is made when the file is written."""
    suffixes = SUFFIXES[fmt]
    check_names([("output", path)], flag)  # first: a name too long is an OSError from any look at the path
    check_file_name(path, fmt)
    if path.suffix.lower() not in suffixes:
        raise _refusal(f"output {path} must end in {' or '.join(suffixes)} for format {fmt}", "format")
    check_not_special(path, "output", flag)
    if os.path.lexists(path) and not overwrite:  # a dangling link too: the rename would not replace it
        ckpt = checkpoint.path_for(path)
        if resumable and ckpt.is_file():
            raise _refusal(f"output {path} already exists, and so does {ckpt}, where an interrupted run to it "
                           f"stopped; continue that run with `jaxart stylize --resume {ckpt}`, or pass overwrite=True "
                           "to start again (which discards the checkpoint)", "overwrite")
        raise _refusal(f"output {path} already exists; pass overwrite=True to replace it or choose another {flag}",
                       "overwrite", flag)
    check_folder(path.parent, flag)
    if os.path.isfile(path) and (why := unreplaceable(path)):  # else the run fails at its end, its work lost
        raise _refusal(f"output {path} cannot be replaced: {why}; choose another {flag}", flag)


def check_not_special(path: Path, what: str = "output", flag: str = "output path") -> None:
    """Refuse, with overwrite too, a device, FIFO or socket (or a link to one): the final rename replaced it."""
    mode = os.stat(path).st_mode if os.path.exists(path) else stat.S_IFREG
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a folder has its own message
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise _refusal(f"{what} {path} is {kind}, not a file; jaxart never replaces one: choose another {flag}", flag,
                       "save_every")


def check_folder(folder: Path, flag: str, what: str = "output folder") -> Path:
    """The nearest existing folder at or above `folder`, once a file could be created and removed there (so a read-only
    file system too). Creates nothing; the folders it would create must have names the file system allows."""
    here = nearest(folder)
    for part in Path(folder).absolute().relative_to(here).parts:
        if len(os.fsencode(part)) > name_limit(here):
            raise _refusal(f"{what} {folder}: the folder name {part[:32]}... would be {len(os.fsencode(part))} "
                           f"bytes, more than the {name_limit(here)} its file system allows; choose a shorter {flag}",
                           flag)
    try:
        return probe_folder(folder)
    except NotADirectoryError as e:  # a link to nothing was "a file": mkdir fails there as it does on one
        thing = "a link to nothing" if os.path.islink(e.filename) and not os.path.exists(e.filename) else "a file"
        raise _refusal(f"{what} {folder}: {e.filename} is {thing}, not a folder; choose another {flag}", flag) from None
    except OSError as e:
        if Path(e.filename) == Path(folder).absolute():
            raise _refusal(f"{what} {folder} is not writable ({e.strerror}); choose another {flag}", flag) from None
        raise _refusal(f"{what} {folder} does not exist and cannot be created in {e.filename} ({e.strerror}); "
                       f"choose another {flag}", flag) from None


def check_names(named, flag: str = "output path") -> None:
    """Refuse a file name longer than its folder allows (255 bytes on most), before the run fails at its end."""
    for what, path in named:
        limit, size = name_limit(Path(path).parent), len(os.fsencode(Path(path).name))
        if size > limit:
            raise _refusal(f"the {what} name {Path(path).name[:32]}... would be {size} bytes, more than the {limit} "
                           f"its folder allows; choose a shorter {flag}", flag)


def name_limit(folder: Path) -> int:
    """The longest file name, in bytes, that `folder` (or the nearest folder above it) allows."""
    try:
        return os.pathconf(nearest(folder), "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _check_derived(output: Path, named) -> None:
    """Refuse an `output` whose derived files, (what, path) pairs, would have names too long for its folder."""
    limit, size = name_limit(output.parent), len(os.fsencode(output.name))
    for what, path in named:
        over = len(os.fsencode(path.name)) - limit
        if over > 0:
            raise _refusal(f"the output name {output.name[:24]}... is too long: its {what} name {output.stem[:24]}..."
                           f"{path.name[len(output.stem):]} would be {limit + over} bytes, more than the {limit} its "
                           f"folder allows; choose a shorter output path, of at most {size - over} bytes", "output path",
                           "save_every")


def _existing(paths) -> set[Path]:
    """The resolved paths of those of `paths` (paths or None, input files) that exist."""
    for p in paths:  # exists() raised a bare OSError for a name too long, and took a link loop for no file
        if p is not None:
            check_path(p, "input file")
    return {Path(p).resolve() for p in paths if p is not None and Path(p).exists()}


def check_not_input(outputs, inputs, *, what: str = "output", flag: str = "output") -> None:
    """Refuse any of `outputs` (called `what`, advised on as `flag`) over one of the `inputs`, even with overwrite."""
    sources = _existing(inputs)
    for out in outputs:
        if out is not None and resolved(out) in sources:
            raise _refusal(f"{what} {out} is one of the inputs; choose another {flag} (overwrite=True never "
                           "replaces an input)", flag, "overwrite")


def check_animation(path: Path, *, overwrite: bool = False, inputs=()) -> None:
    """Fail before any work if the animation cannot be written: one of the `inputs` (paths or None), a folder, no or
    another suffix, an existing file, an unusable folder. Errors advise on its path (--animate), not the output's."""
    check_not_input([path], inputs, what="animation", flag="animation path")
    # The folder first, as output.check_file_name: a folder's name seldom has a suffix, and that is not what is wrong.
    if os.path.isdir(path):  # os.path's: False, not an OSError, for a name too long to look at
        raise InputError(f"animation {path} is a folder; give a file name in it, such as {Path(path) / 'out.gif'}")
    if Path(path).name.lower() in animate.FORMATS:  # `--animate "$NAME.gif"`, NAME empty: not ".gif.gif"
        raise InputError(f"animation {path} is a suffix without a name; give a file name such as "
                         f"{Path(path).with_name('out' + Path(path).name)}")
    if not Path(path).suffix:  # often a folder to write into, whose trailing slash Path() dropped
        raise InputError(f"animation {path} has no suffix; give a file name such as {path}.gif, or "
                         f"{Path(path) / 'out.gif'} to write into a folder {Path(path).name} (.gif or .webp)")
    animate.check_suffix(path)
    check_names([("animation", path)], "animation path")
    check_not_special(path, "animation", "animation path")
    if os.path.lexists(path) and not overwrite:
        raise _refusal(f"animation {path} already exists; pass overwrite=True to replace it or choose another "
                       "animation path", "overwrite", "animation path")
    check_folder(path.parent, "animation path", what="animation folder")


def frame(output: Path, step: int, fmt: str = "png") -> Path:
    """Where `--save-every` writes the image at `step`: OUT.png -> OUT_00100.png."""
    return output.with_name(f"{output.stem}_{step:05d}{SUFFIXES[fmt][0]}")


def _frames_there(output: Path, suffixes) -> list[tuple[Path, int]]:
    """The files beside `output` named like its `--save-every` frames, with one of `suffixes`, with their steps."""
    pattern = re.compile(rf"{re.escape(output.stem)}_(\d{{5,}})({'|'.join(map(re.escape, suffixes))})")
    found = ((p, pattern.fullmatch(p.name)) for p in sorted(output.parent.glob(f"{glob.escape(output.stem)}_*")))
    return [(p, int(m[1])) for p, m in found if m]


def _stale(output: Path, fmt: str, steps: int, save_every: int, own: tuple[int, int]) -> list[tuple[Path, str]]:
    """`stale_frames`, each with the output its record names."""
    from jaxart.output import read_record

    # OUT.png and OUT.tif share their frames' stem: OUT_00002.png of a run to OUT.png lies among
    # OUT_00004.tif of a run to OUT.tif as one of its own would, and is stale as one would be.
    mine = SUFFIXES[fmt][0]
    siblings = {str(output.with_suffix(s).resolve()) for suffixes in SUFFIXES.values() for s in suffixes}
    stale = []
    for path, step in _frames_there(output, FRAME_SUFFIXES):
        if path.suffix == mine and (save_every and step % save_every == 0 and step < steps
                                    or own[1] and step <= own[0] and step % own[1] == 0):
            continue
        try:
            record = read_record(path)
        except InputError:
            continue  # not a jaxart image: not ours to remove
        if isinstance(record.get("output"), str) and record["output"] in siblings:
            stale.append((path, record["output"]))
    return stale


def stale_frames(output: Path, fmt: str, steps: int, save_every: int, own: tuple[int, int] = (0, 0)) -> list[Path]:
    """The `--save-every` frames beside `output` that a run of `steps` steps, a frame every `save_every` (0: none), does
    not write and whose record names `output` or an output of its stem (OUT.png's beside OUT.tif's): an earlier run's.
    Not those a resumed run wrote before it stopped, `own` = (its step then, its frame interval)."""
    return [path for path, _ in _stale(output, fmt, steps, save_every, own)]


def mixing_note(output: Path, fmt: str, steps: int, save_every: int) -> str | None:
    """A warning when an earlier run's frames to `output` (or its stem) would lie among this run's, else None."""
    stale = _stale(output, fmt, steps, save_every, (0, 0)) if save_every else []
    if not stale:
        return None
    earlier = list(dict.fromkeys(str(output.with_name(Path(o).name)) for _, o in stale))
    runs = "an earlier run" if len(earlier) == 1 else "earlier runs"
    return (f"{len(stale)} frame{'s' * (len(stale) > 1)} of {runs} to {' and '.join(earlier)} ({stale[0][0].name}"
            f"{', ...' * (len(stale) > 1)}) will lie among this run's; pass --overwrite to remove them")


def check_beside(output: Path, fmt: str, steps: int, save_every: int, inputs, *,
                 overwrite: bool = False, after: int = 0, resuming: Path | None = None, checkpoint_every: int = 0) -> None:
    """Fail before any work if a frame (after step `after`) or the checkpoint beside `output` would replace an input,
    FIFO or device, or a frame a file without `overwrite`; or another run's checkpoint (not `resuming`'s, continued)."""
    for name, every in (("save_every", save_every), ("checkpoint_every", checkpoint_every)):  # -1, True: every step
        if not hasattr(every, "__index__") or isinstance(every, bool) or every < 0:
            raise _refusal(f"{name} must be a whole number of steps, 0 (never) or more, got {every!r}", name)
    sources, ckpt = _existing(inputs), checkpoint.path_for(output)
    frames = [("save_every frame", frame(output, steps, fmt))] if save_every else []
    _check_derived(output, [("checkpoint", ckpt), *frames])
    check_not_special(ckpt, "checkpoint")  # --overwrite or not: the run put its checkpoint in a FIFO's place
    if resolved(ckpt) in sources:  # on every Python, a link loop is refused as such (`resolved`)
        raise _refusal(f"the checkpoint {ckpt} would replace one of the inputs; choose another output path", "output path")
    if ckpt.is_dir():
        raise _refusal(f"a folder, {ckpt}, is where this run keeps its checkpoint; move that folder away or choose another output path", "output path")
    if save_every:
        _check_frames(output, fmt, steps, save_every, sources, overwrite, after)
    # Outputs of one stem share it (OUT.png, OUT.tif): this run would replace or remove the other's.
    if os.path.lexists(ckpt) and not overwrite and not (resuming and resolved(ckpt) == Path(resuming).resolve()):
        raise _refusal(f"{ckpt} already exists where this run keeps its checkpoint; if an interrupted run left it, continue that run "
                       f"with `jaxart stylize --resume {ckpt}`; else pass overwrite=True to replace it, or choose another output path", "overwrite", "output path")


def _check_frames(output: Path, fmt: str, steps: int, every: int, sources: set[Path], overwrite: bool, after: int) -> None:
    """`check_beside`'s frames: only the files already there are looked at, however many steps."""
    for path, step in _frames_there(output, SUFFIXES[fmt][:1]):
        if not (path == frame(output, step, fmt) and after < step < steps and step % every == 0):
            continue
        if resolved(path) in sources:
            raise _refusal(f"the save_every frame {path} would replace one of the inputs; choose another output "
                           "path", "save_every", "output path")
        check_not_special(path, "the save_every frame")
        if path.is_dir() or not overwrite:
            raise _refusal(f"the save_every frame {path} already exists; pass overwrite=True to replace it or "
                           "choose another output path", "save_every", "overwrite", "output path")
