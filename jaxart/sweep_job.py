"""A sweep command's job: the sweep of image files into a sheet, its page and tiles, placed all or nothing, and its
checkpoint. On a signal during its steps (and every `checkpoint_every` steps) the sweep's state goes to
GRID.ckpt.npz beside the sheet, with the command's settings and its inputs' digests; `jaxart sweep --resume` reads
the command back from it (`from_checkpoint`) and continues to the files the uninterrupted sweep writes."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from jaxart import checkpoint, devices, image, model_choice, scales, sheet, weights
from jaxart.config import StyleConfig
from jaxart.errors import InputError, Interrupted
from jaxart.settings import Setting, as_settings
from jaxart.signals import interrupted_by
from jaxart.transparency import photo_alpha

if TYPE_CHECKING:  # hints only: a dry run makes the Command and checks its checkpoint without JAX
    from jaxart import sweep as S
    from jaxart.vgg import Weights


class Command(NamedTuple):
    """What a sweep command asks for, parsed and checked: all that continuing it needs."""

    content: Path
    styles: list[Path]
    output: Path  # the contact sheet
    fmt: str  # the tiles'
    config: StyleConfig
    settings: tuple[Setting, ...]
    model: str  # as given: auto, a registered name or a .safetensors path
    background: tuple[int, int, int]
    tolerance: float = 0.0
    shrink_batch: bool = False
    columns: int | None = None
    overwrite: bool = False
    checkpoint_every: int = 0
    record: str = "full"  # how much of the run record the tiles and sheet carry (`record_paths.MODES`)


# The command's fields a checkpoint keeps beside checkpoint.py's, and what each must be (a hand-edited file may hold
# anything).
_FIELDS = {
    "tolerance": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1,
    "shrink_batch": lambda v: isinstance(v, bool), "overwrite": lambda v: isinstance(v, bool),
    "columns": lambda v: v is None or isinstance(v, int) and not isinstance(v, bool) and v >= 1,
    "checkpoint_every": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    "settings": lambda v: isinstance(v, list) and bool(v) and all(isinstance(s, list) and len(s) == 7 for s in v),
}


def check_checkpoint(output: Path, overwrite: bool) -> None:
    """Refuse to start a sweep to `output` afresh while an interrupted one's checkpoint is beside it (unless
    `overwrite`: that sweep is given up, its checkpoint removed once this one's files are placed)."""
    ckpt = checkpoint.path_for(output)
    if overwrite or not ckpt.is_file():
        return
    meta = checkpoint.read_meta(ckpt) or {}
    if meta.get("kind") == "sweep":
        raise InputError(f"{ckpt} holds an interrupted sweep to {output} (at step {meta.get('step')}); continue it "
                         f"with `jaxart sweep --resume {shlex.quote(str(ckpt))}`, or pass overwrite=True to start "
                         "again (which discards the checkpoint)", settings=["overwrite"])
    raise InputError(f"{ckpt} is an interrupted stylize run's checkpoint, where this sweep would keep its own; "
                     "choose another output path, or pass overwrite=True to replace it",
                     settings=["overwrite", "output_path"])


def removed(output: Path, overwrite: bool, resumed_from: Path | None, wrote: bool = False) -> list[Path]:
    """The checkpoints a sweep to `output` removes once its files are placed, in that order: the one `--resume` read
    (`resumed_from`; first, as a link to GRID.ckpt.npz holds it only until that goes), then GRID.ckpt.npz beside
    `output`, where the sweep resumed, checkpointed itself (`wrote`) or gives an interrupted one up (`overwrite`;
    without it `check_checkpoint` refuses to start). `run` removes them, a dry run names them."""
    gone = [] if resumed_from is None else [Path(resumed_from)]
    return gone + [checkpoint.path_for(output)] * (resumed_from is not None or overwrite or wrote)


def from_checkpoint(ckpt: checkpoint.Checkpoint, path: Path) -> Command:
    """The command a sweep's checkpoint at `path` continues; refuses a stylize run's, another jaxart version's and
    one whose inputs were edited since."""
    from jaxart import __version__

    checkpoint.check_kind(ckpt, path, "sweep")
    checkpoint.check(ckpt, version=__version__)
    m = ckpt.meta
    wrong = [k for k, ok in _FIELDS.items() if not ok(m.get(k))]
    if wrong:
        raise InputError(f"checkpoint field {', '.join(wrong)} is missing or has the wrong type or value; it was "
                         "edited or damaged, so start the sweep again")
    checkpoint.check_inputs(ckpt)
    try:
        config = StyleConfig.from_dict(m["config"]).validate()
        settings = as_settings([Setting(*s[:6], None if s[6] is None else tuple(s[6])) for s in m["settings"]])
    except (InputError, TypeError, ValueError) as e:
        raise InputError(f"checkpoint {str(e).partition(';')[0]}; it was edited or damaged, so start the sweep "
                         "again") from None
    inputs = m["inputs"]
    return Command(Path(inputs["content"]), [Path(s) for s in inputs["styles"]], Path(m["output"]), m["format"],
                   config, settings, m["model"], tuple(inputs.get("background") or (255, 255, 255)), m["tolerance"],
                   m["shrink_batch"], m["columns"], m["overwrite"], m["checkpoint_every"], m.get("record") or "full")


def split_changed(meta: dict) -> str | None:
    """What a resumed sweep's line says where its checkpoint (`meta`) was made on another number of devices than JAX
    has here: the batch split otherwise rounds otherwise, so the files are close to the uninterrupted sweep's, not
    the same (a checkpoint without the count says nothing)."""
    if (here := devices.other_split(ran := meta.get("devices"))) is None:
        return None
    return (f"this sweep ran its batch over {ran} device{'s' * (ran != 1)} and goes on over {here}, which rounds "
            "otherwise: its files will be close to the uninterrupted sweep's, not the same; resume it where JAX has "
            f"{ran} for those")


def run(cmd: Command, photo: np.ndarray, paintings: list[np.ndarray], w: Weights, *,
        stopped: Callable[[], int | None], update: Callable[..., None], hashed: dict[str, str] | None = None,
        resume: checkpoint.Checkpoint | None = None,
        resumed_from: Path | None = None,
        given: dict[str, str] | None = None) -> tuple[S.SweepResult, list[Path], dict]:
    """Sweep `photo` (`cmd.content` as read) and `paintings` and place the sheet, page and tiles; returns the result,
    the files and the sheet's record. `update(step, mean loss, mean terms)` after every step (the loss before its
    update), and once the files are placed the last step again with the tiles' mean final loss, the record's (the
    bar's closing report: its ETA 0). On a signal
    (`stopped()` a signal number) before the last step the state goes to the checkpoint and `Interrupted` is raised,
    nothing placed; `resume` (a checkpoint of this command, checked against `w`) continues one, read from
    `resumed_from` (given with it): removed with GRID.ckpt.npz once the files are placed (`removed`, as the dry run
    says), where it is still that checkpoint (a renamed one stayed behind). The captions name the photo and
    paintings as `cmd` gives them, and the --init and --mask files as `given` does (by their resolved paths): a
    link by its own name."""
    from jaxart import __version__, job, sweep as S, sweep_state, transfer  # JAX: here, not at the top (a dry run)

    if resume is not None:
        checkpoint.check(resume, weights=w)
    config, output, total = cmd.config, cmd.output, scales.total_steps(cmd.config)
    ckpt_path = checkpoint.path_for(output)
    inputs = {"content": str(cmd.content.resolve()), "styles": [str(s.resolve()) for s in cmd.styles],
              "background": list(cmd.background)}
    digests = job.input_digests(cmd.content, cmd.styles, config, hashed)
    named = model_choice.named(cmd.model) if weights.is_path(cmd.model) else None  # the record's model path
    meta = {"kind": "sweep", "jaxart": __version__, "weights_sha256": w.sha256,
            "weights_content_sha256": w.content_sha256,
            "model": named or (w.name if cmd.model == "auto" else cmd.model),
            "config": config.to_dict(), "inputs": inputs, "output": str(output.resolve()), "format": cmd.fmt,
            "settings": [list(s) for s in cmd.settings], "tolerance": cmd.tolerance, "shrink_batch": cmd.shrink_batch,
            "columns": cmd.columns, "overwrite": cmd.overwrite, "checkpoint_every": cmd.checkpoint_every,
            "input_sha256": digests, "devices": devices.local_device_count(),  # the batch's split: `split_changed`
            **({"record": cmd.record} if cmd.record != "full" else {})}
    earlier = float(resume.meta.get("seconds") or 0.0) if resume else 0.0  # the seconds before the interruption
    wrote: list[int] = []  # the steps this sweep checkpointed

    def on_state(state: sweep_state.SweepState) -> None:
        signum = stopped() if state.step < total else None  # at the last step: the files are placed, then it says so
        every = cmd.checkpoint_every and state.step % cmd.checkpoint_every == 0 and state.step < total
        if signum or every:
            checkpoint.save(ckpt_path, sweep_state.kept(state), {
                **meta, **sweep_state.meta(state), "seconds": earlier + time.perf_counter() - start})
            wrote.append(state.step)
        if signum:
            raise Interrupted(f"{interrupted_by(signum)} at step {state.step} of {total}; kept the "
                              f"sweep in {ckpt_path}, no tiles or sheet written; continue with: jaxart sweep --resume "
                              f"{shlex.quote(str(ckpt_path))}", 128 + signum)

    last = [0]  # the last step reported, reported again once the files are placed: the bar's closing report

    def report(step: int, carry) -> None:
        last[0] = step
        update(step, *S.batch_mean(carry, len(cmd.settings)))

    # A cut-out's tiles stay cut out: its alpha read before the run, as stylize's, not once the sweep is done, where
    # a photo moved or replaced meanwhile lost every tile or took another file's alpha.
    alpha = photo_alpha(cmd.content, photo, cmd.background, config.size)
    start = time.perf_counter()
    result = S.sweep(photo, paintings, w, config, cmd.settings, tolerance=cmd.tolerance, callback=report,
                     shrink_batch=cmd.shrink_batch, background=cmd.background, on_state=on_state, resume=resume)
    result = result._replace(seconds=earlier + result.seconds)
    # The fields a stylize record has (job.record), with each tile's own loss, steps, config and seed.
    shared = job.record(config, w, transfer.Outcome(result.images[0], {}, total, result.seconds), inputs, digests,
                        named, cmd.tolerance)
    record = {**{k: v for k, v in shared.items() if k != "seed"}, "loss": result.terms, "steps": result.steps,
              "devices": result.devices,  # its sheet command rounds so only over as many: reproduce_checks
              # For `info --command`: the batch rounds so; and for the sheet's header, whether it shrank.
              **({"shrink_batch": True, "shrank": [list(at) for at in result.shrank]} if cmd.shrink_batch else {}),
              **({} if result.image_terms is None else {"image_loss": result.image_terms})}
    given = {str(p.resolve()): str(p) for p in (cmd.content, *cmd.styles)} | (given or {})
    alpha = None if alpha is None else image.resized(alpha, np.shape(result.images)[1:3])  # once, not a tile each
    files = sheet.write(output, result.images, cmd.settings, config, record, cmd.columns, overwrite=cmd.overwrite,
                        ok=result.ok, fmt=cmd.fmt, stopped=result.stopped, given=given, alpha=alpha,
                        record_mode=cmd.record)
    # the placed files supersede them (a resumed sweep's as `run` was given it, with or without `resumed_from`)
    gone = removed(output, cmd.overwrite, resumed_from, bool(wrote) or resume is not None)
    if resumed_from is not None:  # where it still holds this sweep (a link: the link alone)
        checkpoint.remove_if_holding(gone.pop(0), resume.meta)
    for path in gone:
        path.unlink(missing_ok=True)
    if last[0]:  # as stylize's closing report: its ETA 0 (also where a tolerance stopped every tile early), and the
        # tiles' mean final loss, the records' (the last step's report was the loss before its update)
        mean = {k: float(np.mean(v)) for k, v in result.terms.items()}
        update(last[0], mean.pop("total"), mean)
    return result, files, record

