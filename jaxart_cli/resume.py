"""What `jaxart stylize --resume` takes from the command line: the checkpoint fixes everything else, and an
option that it would override is refused, not ignored."""

from __future__ import annotations

import typer

from jaxart_cli.common import given as _given

# The options a resumed run still takes.
RESUME_OPTIONS = ("resume", "output", "fmt", "overwrite", "checkpoint_every", "save_every", "animate", "quiet")


def only_with_resume(ctx: typer.Context, allowed=RESUME_OPTIONS) -> None:
    """Refuse options the checkpoint overrides, rather than ignore them."""
    given = [_as_typed(ctx, p) for p in ctx.command.params if p.name not in allowed and _given(ctx, p.name)]
    if given:
        # Most often --steps: more steps for a picture that was stopped to look at. A new run from the
        # interrupted image keeps its painting (L-BFGS's memory alone restarts).
        raise typer.BadParameter(f"the checkpoint fixes the run's settings; drop {', '.join(given)} (or start a new "
                                 "run to change them, with --init IMAGE to go on from the interrupted image)",
                                 param_hint="--resume")


def _as_typed(ctx: typer.Context, param) -> str:
    """An option's long name as given: a flag's off switch is --no-remat, which "drop --remat" misnames."""
    off = getattr(param, "secondary_opts", None) and ctx.params.get(param.name) is False
    return max(param.secondary_opts if off else param.opts, key=len)
