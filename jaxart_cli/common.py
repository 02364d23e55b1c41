"""What the CLI's commands share: which options were given (and `unused_options.unused_notes`' warning for one that
has no effect), and one-line output on stdout or stderr."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def given(ctx, name: str) -> bool:
    """Whether option `name` is on the command line (not its default)."""
    return getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE"


def unused(ctx, config, paintings: int | None = None, tiles: int = 1) -> list[str]:
    """Warnings for given options `config` does not use (`unused_options.unused_notes`, which knows which those may
    be); with `paintings`, a sweep's, also its own options that its paintings and `tiles` leave without effect
    (`unused_options.sweep_notes`)."""
    from jaxart.unused_options import sweep_notes, unused_notes

    names = [p.name for p in ctx.command.params if given(ctx, p.name)]
    return unused_notes(config, names) + (sweep_notes(names, paintings, tiles) if paintings is not None else [])


def start_jax_first(dry_run: bool, first: Callable[[], None] = lambda: None) -> None:
    """Start JAX's backend now, before the command makes any file, where XLA_FLAGS is set and the command will run:
    XLA reads it there and ends the process at a flag it does not know or a bad value (exit 1, its own line or its
    list of flags), which left the output's lock file (.OUT.lock) behind. Otherwise nothing: a dry run never starts
    JAX, and without XLA_FLAGS it starts after the quick checks of the inputs, as before. Flags XLA refuses are asked
    of a child first (`xla_flags.refusal`), so the command says so in a line of its own, exit 2. Before them `first`,
    the checks that need no JAX (the caller's of its outputs, made again once it holds the output's lock): a bad
    output was said only after the child and JAX's start, 2-6 s, and XLA's warnings about its flags."""
    if not dry_run and os.environ.get("XLA_FLAGS", "").strip():
        first()
        from jaxart import xla_flags
        from jaxart.errors import InputError

        if why := xla_flags.refusal():
            raise InputError(f"XLA refused XLA_FLAGS={os.environ['XLA_FLAGS']!r} ({why}); fix or unset XLA_FLAGS")
        import jax

        jax.devices()


def warn(message: str) -> None:
    say(f"warning: {message}", err=True)


def say(line: str, err: bool = False) -> None:
    """`line` on stdout (stderr with `err`) as one line, as errors are (JaxartError): a file name's newline split it."""
    import typer

    if err:
        try:
            typer.echo(" ".join(str(line).splitlines()), err=True)
        except OSError:  # `2>&1 | head -1`, `2>>log` on a full disk, a gone terminal's EIO: nobody reads warnings or
            # progress; the run goes on, as echo's (a full disk's ENOSPC ended it silently, exit 1, its image unwritten)
            from jaxart.files import unread

            unread(sys.stderr)
    else:
        echo(" ".join(str(line).splitlines()))


def echo(text: str) -> None:
    """`text` on stdout. Once nobody reads it (`| head -1` had its line; a closed pipe), the rest goes to /dev/null and
    the command goes on to its own end and exit code, as ripgrep's does: click stopped it at that line with exit 1, a
    failure for `set -o pipefail` though the image was written, and before a sweep said which tiles failed. Where
    it takes no more (a full disk) the command fails, saying so: it said "error: No space left on device", naming
    nothing."""
    import typer

    from jaxart.files import unread

    try:
        typer.echo(text)
    except BrokenPipeError:
        unread(sys.stdout)
    except OSError as e:  # `> /dev/full`, a full disk: the output is lost, which the reader did not choose
        import errno

        from jaxart.errors import JaxartError, limit_advice

        unread(sys.stdout)  # its unwritten bytes too: the flush at exit raised again
        # A gone terminal's EIO was told to free some space on its disk
        advice = ("free some space on its disk or send it elsewhere" if e.errno in (errno.ENOSPC, errno.EDQUOT)
                  else limit_advice(e.errno) or "send it elsewhere")
        raise JaxartError(f"could not write to the standard output ({e.strerror or e}); {advice}") from e


def said(label: str):
    """`say(f"{label}: {line}")` on stderr, beside the progress bar: "stylize: about 4 min (from your runs ...)"."""
    return lambda line: say(f"{label}: {line}", err=True)
