"""The `--save-every` frames beside an output: their names, those a run wrote, and those an earlier run left there."""

from __future__ import annotations

import glob
import re
from pathlib import Path

from jaxart.errors import InputError, joined
from jaxart.formats import SUFFIXES
from jaxart.image_record import read_record

FRAME_SUFFIXES = tuple(dict.fromkeys(s[0] for s in SUFFIXES.values()))  # .png, .tif: what frame() ends in


def frame(output: Path, step: int, fmt: str = "png") -> Path:
    """Where `--save-every` writes the image at `step`: OUT.png -> OUT_00100.png."""
    return output.with_name(f"{output.stem}_{step:05d}{SUFFIXES[fmt][0]}")


def written(output: Path, fmt: str, steps: int, total: int, save_every: int = 0, animation: Path | None = None,
            checkpoint: Path | str | None = None, after: int = 0) -> str:
    """The files a run of `steps` of its `total` steps wrote, each named once, as its summary says them: "out.png",
    or "out.png, 3 frames out_00100.png to out_00300.png and out.gif" (then `checkpoint`, as given). The frames are
    those `--save-every` takes after step `after` (`resume.frames_after`) and before the last step, up to the step
    the run stopped at."""
    start = (after // save_every + 1) * save_every if save_every > 0 else 0
    taken = range(start, min(steps, total - 1) + 1, save_every) if save_every > 0 else range(0)
    first, last = (frame(output, taken[0], fmt), frame(output, taken[-1], fmt)) if taken else (None, None)
    frames = (None if not taken else f"frame {first}" if len(taken) == 1
              else f"{len(taken)} frames {first} to {last.name}")
    names = [str(n) for n in (output, frames, animation, checkpoint) if n]
    return joined(names)


def frames_there(output: Path, suffixes) -> list[tuple[Path, int]]:
    """The files beside `output` named like its `--save-every` frames, with one of `suffixes`, with their steps."""
    pattern = re.compile(rf"{re.escape(output.stem)}_(\d{{5,}})({'|'.join(map(re.escape, suffixes))})")
    found = ((p, pattern.fullmatch(p.name)) for p in sorted(output.parent.glob(f"{glob.escape(output.stem)}_*")))
    return [(p, int(m[1])) for p, m in found if m]


def replaced(output: Path, fmt: str, steps: int, every: int, after: int = 0) -> list[Path]:
    """The files already beside `output` that a run of `steps` steps would replace with its `--save-every` frames, a
    frame every `every` steps (above 0) after step `after` (a resumed run's) and before its last."""
    return [path for path, step in frames_there(output, SUFFIXES[fmt][:1])
            if path == frame(output, step, fmt) and after < step < steps and step % every == 0]


def _stale(output: Path, fmt: str, steps: int, save_every: int, own: tuple[int, int]) -> list[tuple[Path, str]]:
    """`stale_frames`, each with the output its record names."""
    # OUT.png and OUT.tif share their frames' stem: OUT_00002.png of a run to OUT.png lies among
    # OUT_00004.tif of a run to OUT.tif as one of its own would, and is stale as one would be.
    mine = SUFFIXES[fmt][0]
    siblings = {str(output.with_suffix(s).resolve()) for suffixes in SUFFIXES.values() for s in suffixes}
    stale = []
    for path, step in frames_there(output, FRAME_SUFFIXES):
        if path.suffix == mine and (save_every and step % save_every == 0 and step < steps
                                    or own[1] and step <= own[0] and step % own[1] == 0):
            continue
        try:
            record = read_record(path)
        except InputError:
            continue  # not a jaxart image: not ours to remove
        # a frame of --record no-paths names its output by file name alone: found beside it, it is that one's
        if isinstance(record.get("output"), str) and record["output"] in siblings | {Path(s).name for s in siblings}:
            stale.append((path, record["output"]))
    return stale


def stale_frames(output: Path, fmt: str, steps: int, save_every: int, own: tuple[int, int] = (0, 0)) -> list[Path]:
    """The `--save-every` frames beside `output` that a run of `steps` steps, a frame every `save_every` (0: none),
    does not write and whose record names `output` or an output of its stem (OUT.png's beside OUT.tif's): an
    earlier run's. Not those a resumed run wrote before it stopped, `own` = (its step then, its frame interval)."""
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
