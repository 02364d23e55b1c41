"""Whether `--resume` would take a checkpoint now (`jaxart info OUT.ckpt.npz` says so): the checks stylize's and
sweep's `--resume` make before any weights load, here without JAX, the photo decoded or anything run."""

from __future__ import annotations

import os

from jaxart import checkpoint, resume, sweep_job
from jaxart.errors import InputError


def refusal(path: str | os.PathLike) -> str | None:
    """The line `--resume path` would be refused with now (another jaxart version, other weights in the weights file
    it names, an input file gone or edited, a damaged file), as the command says it; None where it would go on."""
    try:
        ckpt, _ = resume.relocated(checkpoint.load(path), path)  # moved with its folder: as --resume follows it
        if ckpt.meta.get("kind") == "sweep":
            sweep_job.from_checkpoint(ckpt, path)
        else:
            resume.from_checkpoint(ckpt)
            resume.resumed_outputs(ckpt)
        resume.check_weights_file(ckpt)
    except InputError as e:
        return str(e)
    return None


def notes(meta: dict) -> list[str]:
    """What a resume of the checkpoint whose metadata is `meta` would warn of, though it goes on: a sweep's batch split
    over another number of devices here."""
    return [n for n in (sweep_job.split_changed(meta) if meta.get("kind") == "sweep" else None,) if n]
