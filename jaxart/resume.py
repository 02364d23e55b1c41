"""What `--resume` continues: the run a checkpoint describes, its outputs, and which existing
files are its own (so resuming may replace them without `--overwrite`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from jaxart import animate, checkpoint, image, margin, moved_inputs, scales
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart.image_record import read_record


def from_checkpoint(ckpt: checkpoint.Checkpoint) -> tuple[Path, list[Path], str, StyleConfig, tuple[int, int, int]]:
    """The content, styles, model, config and background a checkpoint continues; refuses another version."""
    from jaxart import __version__

    checkpoint.check(ckpt, version=__version__)
    checkpoint.check_inputs(ckpt)
    m = ckpt.meta
    try:
        config = StyleConfig.from_dict(m["config"]).validate()
    except InputError as e:  # a hand-edited or damaged file
        raise InputError(f"checkpoint {str(e).partition(';')[0]}; it was edited or damaged, so start the run "
                         "again") from None
    if m["step"] > scales.total_steps(config):  # it would write the image as it is and call the run done
        raise InputError(f"checkpoint is at step {m['step']} of a run of {scales.total_steps(config)} steps; it was "
                         "edited or damaged, so start the run again")
    background = tuple(m["inputs"].get("background") or image.WHITE)  # null or absent: the default
    return Path(m["inputs"]["content"]), [Path(s) for s in m["inputs"]["styles"]], m["model"], config, background


def output_here(recorded: str | os.PathLike) -> Path:
    """A checkpoint's output (recorded absolute, so that it resumes from any folder) as a first run most often
    typed it: relative to the current folder where it lies under it (`out/o.png`), else absolute. A resumed run's
    lines named `/home/me/art/out/o.png` where the run before had said `out/o.png`."""
    recorded, here = Path(recorded), Path.cwd().resolve()
    return recorded.relative_to(here) if recorded.is_relative_to(here) and recorded != here else recorded


def moved_with(recorded: str | os.PathLike, ckpt_path: str | os.PathLike) -> Path:
    """A checkpoint's output (recorded absolute) where the checkpoint was moved with its folder: beside the checkpoint,
    under the output's name, where the recorded output's folder is gone and the checkpoint lies elsewhere; else
    as recorded. A resume there made the moved folder again and wrote into it, where nobody looked."""
    recorded, folder = Path(recorded), Path(ckpt_path).resolve().parent
    return recorded if os.path.isdir(recorded.parent) or folder == recorded.parent else folder / recorded.name


def moved_meta(meta: dict, path: str | os.PathLike) -> tuple[dict, Path | None]:
    """A checkpoint's `meta`, read from `path`, with its output (and an animation beside it) beside `path` where
    `moved_with` puts it; and the folder it was made in where so, else None. `info` of it names them so too."""
    old = meta.get("output")
    if not isinstance(old, str) or (new := moved_with(old, path)) == Path(old):  # not text: `checkpoint.check` says so
        return meta, None
    movie = meta.get("animation")
    if isinstance(movie, str) and Path(movie).parent == Path(old).parent:
        meta = {**meta, "animation": str(new.parent / Path(movie).name)}
    return {**meta, "output": str(new)}, Path(old).parent


def relocated(ckpt: checkpoint.Checkpoint, path: str | os.PathLike) -> tuple[checkpoint.Checkpoint, Path | None]:
    """`ckpt`, read from `path`, moved with its folder (`moved_meta`), and the folder it was made in where so, else
    None. Its moved interrupted image and frames stay its own."""
    meta, gone = moved_meta(ckpt.meta, path)
    return ckpt._replace(meta=meta), gone


def resumed_scale(config: StyleConfig, photo: Sequence[int], ckpt: checkpoint.Checkpoint) -> int:
    """The index in `schedule(config)` of the scale whose image (of a photo of shape `photo`) `ckpt`
    holds, in its margin. The CLI asks before its warnings about the run's sizes (a dry run too, without JAX),
    `coarse_to_fine.run` as it starts.

    Raises:
      InputError: the image is of no scale: `config` is not the one `ckpt` was made with (the CLI's
        is its own, so there the file was edited).
    """
    held = tuple(ckpt.leaves[0].shape) if ckpt.leaves else ()  # a Carry flattens to its params first
    framed = [margin.padded_shape((*image.fit(photo, s), 3), config.margin) for s, _ in scales.schedule(config)]
    if held not in framed:
        shown = (f"a {held[1]}x{held[0]} image (margin included)" if len(held) == 3
                 else f"an array of shape {list(held)}")
        raise InputError(f"checkpoint holds {shown}, which is no scale of {list(scales.sizes(config))} for this "
                         "photo; it was made with another config, or edited or damaged: resume it with the config it "
                         "was made with, or start the run again")
    return framed.index(held)


def check_weights_file(ckpt: checkpoint.Checkpoint) -> None:
    """Refuse a checkpoint made with other weights than the file its model names holds, from that file's header,
    before any weights load (`checkpoint.check`'s refusal once they have, for a dry run). A registered set not
    installed is not judged: the run downloads it first (the dry run says so) and checks it then."""
    from jaxart import weights

    model, meta = ckpt.meta["model"], ckpt.meta
    path = Path(model) if weights.is_path(model) else weights.path_for(model) if weights.valid_name(model) else None
    if path is None or not path.is_file():
        return
    content, sha256 = meta.get("weights_content_sha256"), meta.get("weights_sha256")
    same = weights.store.matches(path, content_sha256=content if isinstance(content, str) else "",
                                 sha256=sha256 if isinstance(sha256, str) else "")
    if same is False:
        raise InputError(f"checkpoint was made with other weights than {path} holds (sha256 {str(sha256)[:12]}...); "
                         "resume with the same weights file")


def taken_over(meta: dict | None, output: Path, overwrite: bool) -> tuple[bool, bool, tuple[int, int]]:
    """What a run to `output` takes over from the run it resumes, whose checkpoint's metadata is `meta` (None: it
    resumes none): whether that run wrote the same output; `overwrite` (--overwrite), or that run's to the same
    output; and (step, save_every) of the frames that run wrote of it, which stay this run's own ((0, 0): none)."""
    if meta is None or meta.get("output") != str(Path(output).resolve()):
        return False, overwrite, (0, 0)
    return True, overwrite or bool(meta.get("overwrite")), (meta.get("step", 0), meta.get("save_every") or 0)


def frames_after(meta: dict | None, output: Path) -> int:
    """The step after which a run to `output` resuming the checkpoint whose metadata is `meta` (None: none) writes
    its `--save-every` frames there: that step where `output` is another than its run's (the earlier frames stay
    beside that run's image), else 0. The summary and dry run named frames the resumed run never wrote there."""
    return meta["step"] if meta is not None and not taken_over(meta, output, False)[0] else 0


def resumed_outputs(ckpt: checkpoint.Checkpoint) -> tuple[int, int, Path | None]:
    """The interrupted run's --save-every, --checkpoint-every and --animate (absent: 0, 0, None),
    which `--resume` continues unless given again."""
    m = ckpt.meta
    every, ckpt_every, movie = m.get("save_every", 0), m.get("checkpoint_every", 0), m.get("animation")
    if not (all(isinstance(n, int) and n >= 0 for n in (every, ckpt_every)) and isinstance(movie, (str, type(None)))):
        raise InputError("checkpoint field save_every, checkpoint_every or animation has the wrong type; it was "
                         "edited or damaged, so start the run again")
    return every, ckpt_every, movie and Path(movie)


def frames(ckpt: checkpoint.Checkpoint) -> animate.Frames | None:
    """The animation frames `ckpt` kept, to continue; None if it kept none (made without
    --animate); an InputError if they were edited or damaged."""
    if "frame_every" not in ckpt.meta:
        return None
    return animate.Frames.restored(ckpt.meta["frame_every"], ckpt.meta.get("frame_steps"), ckpt.frames)


def is_own_output(ckpt: checkpoint.Checkpoint, output: str | os.PathLike) -> bool:
    """Whether resuming `ckpt` into `output` may replace what is there without `--overwrite`:
    `output` is the checkpoint's own, and holds nothing or the image its interrupted run wrote
    (a record with `interrupted`, the same config and inputs). A finished image written there
    since, or any other file, is not: replacing it needs `--overwrite`."""
    output = Path(output)
    if output.resolve() != Path(ckpt.meta["output"]):
        return False
    if not os.path.lexists(output):
        return True
    try:
        record = moved_inputs.renamed(read_record(output), moved_inputs.kept(ckpt.meta))  # moved with it too
    except InputError:
        return False
    return ("interrupted" in record and record.get("config") == ckpt.meta["config"]
            and record.get("inputs") == ckpt.meta["inputs"])


class Continuation(NamedTuple):
    """How a resumed run writes: whether the existing output is its own, its frame and checkpoint
    intervals, the animation's frames so far and the animation's path."""

    own: bool
    save_every: int
    checkpoint_every: int
    frames: animate.Frames | None
    animation: Path | None


def _beside(movie: Path, recorded: object, output: Path) -> Path:
    """The interrupted run's animation `movie` where the resumed run writes `output`: under its name beside `output`
    where it lay beside that run's `recorded` output, as the image goes (it went to the old folder while the image
    went to --output's), and named as `output` is (`kept/o.gif`, not absolute); else as recorded (`output_here`)."""
    if not isinstance(recorded, str) or movie.parent != Path(recorded).parent:
        return output_here(movie)
    return Path(output).parent / movie.name


def continuation(ckpt: checkpoint.Checkpoint, output: Path, animation: Path | None, save_every: int | None,
                 checkpoint_every: int | None, warn: Callable[[str], None]) -> Continuation:
    """What the resumed run writes: the interrupted run's --save-every, --checkpoint-every and
    animation unless given again (None: not given; the animation beside `output` where it lay beside
    the run's, `_beside`), and the frames its checkpoint kept. Damaged
    frames are an InputError, or a warning and a fresh animation when `animation` is given."""
    every, ckpt_every, movie = resumed_outputs(ckpt)
    step = ckpt.meta["step"]
    kept = None
    try:
        kept = frames(ckpt)
    except InputError:
        if animation is None:
            raise
        warn(f"the checkpoint's animation frames are damaged, so {animation} shows the run from step {step} on")
    if movie is not None and animation is None:
        if kept is not None:
            animation = _beside(movie, ckpt.meta.get("output"), output)
        else:
            warn(f"{movie} is not continued: the interrupted run held its frames in memory; give --animate "
                 f"to write one from step {step} on")
    return Continuation(is_own_output(ckpt, output), every if save_every is None else save_every,
                        ckpt_every if checkpoint_every is None else checkpoint_every, kept, animation)

