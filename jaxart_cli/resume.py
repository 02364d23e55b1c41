"""What `jaxart stylize --resume` and `jaxart sweep --resume` take from the command line: the checkpoint fixes
everything else, and an option that it would override is refused, not ignored."""

from __future__ import annotations

import typer

from jaxart_cli.common import given as _given, warn

# The options a resumed run still takes.
RESUME_OPTIONS = ("resume", "output", "fmt", "overwrite", "checkpoint_every", "save_every", "animate", "quiet",
                  "dry_run")
# A sweep's: no --output, as the sheet's path names its tiles.
SWEEP_RESUME_OPTIONS = ("resume", "overwrite", "checkpoint_every", "quiet", "dry_run")


def _only_with_resume(ctx: typer.Context, allowed: tuple[str, ...], instead: str) -> None:
    """Refuse options the checkpoint overrides, rather than ignore them; `instead`: what to start to change them."""
    given = [_as_typed(ctx, p) for p in ctx.command.params if p.name not in allowed and _given(ctx, p.name)]
    if given:
        # Most often --steps: more steps for a picture that was stopped to look at. A new run from the
        # interrupted image keeps its painting (L-BFGS's memory alone restarts).
        raise typer.BadParameter(f"the checkpoint fixes the run's settings; drop {', '.join(given)} (or start "
                                 f"{instead})", param_hint="--resume")


def loaded(ctx: typer.Context, resume, content, allowed=RESUME_OPTIONS,
           instead="a new run to change them, with --init IMAGE to go on from the interrupted image"):
    """The checkpoint `resume` names, once the command gives nothing it fixes: no CONTENT or STYLE, and no option
    but `allowed` (`_only_with_resume`; `instead`: what to start to change them)."""
    from jaxart import checkpoint

    if content is not None:
        raise typer.BadParameter("the checkpoint names the content, styles and model; give no CONTENT or STYLE with "
                                 "it", param_hint="--resume")
    _only_with_resume(ctx, allowed, instead)
    return checkpoint.load(resume)


def _as_typed(ctx: typer.Context, param) -> str:
    """An option's long name as given: a flag's off switch is --no-remat, which "drop --remat" misnames."""
    off = getattr(param, "secondary_opts", None) and ctx.params.get(param.name) is False
    return max(param.secondary_opts if off else param.opts, key=len)


def resumed_sweep(ctx: typer.Context, resume, content, overwrite: bool, checkpoint_every: int):
    """The `sweep_job.Command` and checkpoint `sweep --resume` continues: --overwrite, --checkpoint-every, --quiet and
    --dry-run may be given again (--overwrite: the sweep's own, or now); any other option the checkpoint fixes is
    refused."""
    from jaxart import moved_inputs, resume as _resume, sweep_job

    ckpt, moved = moved_inputs.found(loaded(ctx, resume, content, SWEEP_RESUME_OPTIONS, "the sweep again to change "
                                            "them"), resume)  # inputs moved with it: read there
    if moved:
        warn(moved_inputs.line(moved))
    cmd = sweep_job.from_checkpoint(ckpt, resume)
    every = checkpoint_every if _given(ctx, "checkpoint_every") else cmd.checkpoint_every
    sheet = _resume.moved_with(cmd.output, resume)  # --output is refused: the sheet follows its moved checkpoint
    if sheet != cmd.output:
        warn(f"{cmd.output.parent} is gone, so the sweep goes on beside its checkpoint: writing {sheet}")
    if split := sweep_job.split_changed(ckpt.meta):
        warn(split)
    # The sheet named as stylize's output is (resume.output_here): as typed, where it lies under this folder.
    return cmd._replace(output=_resume.output_here(sheet), overwrite=overwrite or cmd.overwrite,
                        checkpoint_every=every), ckpt
