"""Whether `--resume` would take a checkpoint now (`jaxart info OUT.ckpt.npz` says so): the checks stylize's and
sweep's `--resume` make before any weights load, here without JAX, the photo decoded or anything run."""

from __future__ import annotations

import os
from pathlib import Path

from jaxart import checkpoint, destinations, locks, model_choice, moved_inputs, resume, sheet, sweep_job
from jaxart.errors import InputError


def refusal(path: str | os.PathLike) -> InputError | None:
    """The error `--resume path` would be refused with now (another jaxart version, other weights in the weights file
    it names, an input file gone or edited, a damaged file, an output there no longer its own), as the command says
    it (its settings named as the caller writes them, `InputError.naming`); None where it would go on."""
    try:
        ckpt, _ = resume.relocated(moved_inputs.found(checkpoint.load(path), path)[0], path)  # as --resume follows
        if ckpt.meta.get("kind") == "sweep":
            cmd = sweep_job.from_checkpoint(ckpt, path)
            output = resume.output_here(cmd.output)  # named as the resume names it
            _not_busy(output, None)  # the sweep's output is its checkpoint's: no --output to choose
            sheet.check_outputs(output, len(cmd.settings), cmd.fmt, overwrite=cmd.overwrite,
                                inputs=[cmd.content, *cmd.styles, cmd.config.init, cmd.config.mask, path])
        else:
            content, styles, _, config, _ = resume.from_checkpoint(ckpt)
            resume.resumed_outputs(ckpt)
            output = resume.output_here(ckpt.meta["output"])
            _not_busy(output, "--output")
            destinations.check_not_input([output], [content, *styles, config.init, config.mask, path])
            destinations.check_output(output, ckpt.meta["format"], overwrite=resume.is_own_output(ckpt, output))
        model_choice.model_arch(ckpt.meta["model"])  # a weights file gone, as the command refuses it before any load
        resume.check_weights_file(ckpt)
    except InputError as e:
        return e
    return None


def _not_busy(output: Path, flag: str | None) -> None:
    """Refuse, as the command does once it reaches the lock, an output that a jaxart run writes now (that run's own
    checkpoint, say, which it saves every --checkpoint-every steps): info said it would go on."""
    if locks.busy(locks.output_lock(Path(output))):
        raise locks.busy_error(output, flag)


def notes(path: str | os.PathLike, meta: dict) -> list[str]:
    """What a resume of the checkpoint at `path`, whose metadata is `meta`, would warn of, though it goes on: its inputs
    read where they were moved with it (`moved_inputs`), a sweep's batch split over another number of devices here."""
    held = checkpoint.read_meta(path)  # as made: `meta` may name its output moved with it
    moved = moved_inputs.found(checkpoint.Checkpoint(held, []), path)[1] if isinstance(held, dict) else {}
    return [n for n in (moved and moved_inputs.line(moved),
                        sweep_job.split_changed(meta) if meta.get("kind") == "sweep" else None) if n]
