"""How the CLI ends: every anticipated failure of a command as one line on stderr and an exit code
(2 for bad input or usage, 1 for a failed run, 128 + N for signal N)."""

from __future__ import annotations

import functools
import sys

import typer
from typer.exceptions import Abort, Exit, TyperException

from jaxart.deferral import catch as _catch, put_back as _put_back
from jaxart_cli.common import say as _one_line
from jaxart_cli.help import Group as _Group
from jaxart_cli.signals import (
    forget_interrupts as _forget_interrupts, interrupted as _interrupted, interrupted_code as _interrupted_code,
    interrupted_line as _interrupted_line, not_begun_line as _not_begun_line, on_sigint as _on_sigint,
    record as _record, starting_line as _starting_line, stop_if_interrupted as _stop_if_interrupted,
)
from jaxart_cli.usage import unknown_option as _unknown_option, usage_message as _usage_message


def run(app: typer.Typer) -> None:
    """Run `app`; every anticipated failure becomes one line on stderr and a non-zero exit (sys.exit)."""
    from jaxart.errors import Interrupted
    from jaxart.errors import BAD_PATH, InputError, JaxartError

    previous = {}  # filled as they are replaced: a signal as _on_signal is set is answered below, and all put back
    # The commands' ctx.obj: which ran (help.Command), whether its run began (signals.run_begins) and whether it has
    # returned or raised ("ended"); and whether the app is jaxart's (help.Group), whose commands all record themselves:
    # none recorded, none has run yet.
    stage = {"jaxart": isinstance(app.info.cls, type) and issubclass(app.info.cls, _Group)}
    try:
        _catch(functools.partial(_on_signal, stage), previous)
        _stop_if_interrupted()  # one recorded before (cli.entry's handler): ends the command before it starts
        code = _command(app, stage)
        if code == 130:  # typer turns a KeyboardInterrupt in a command into a silent Exit(130)
            raise KeyboardInterrupt
        if _interrupted() and not code:  # one Python dropped (see _on_sigint): the command went on to finish its work
            _say(f"{_interrupted_line()} as the command finished; it completed all the same")
            sys.exit(_interrupted_code())
        _stop_if_interrupted()  # the same, in a command that failed: it ends in 128 + the signal
        if isinstance(code, int) and code:  # not standalone, click returns typer.Exit(code)'s code
            sys.exit(code)
    except Exit as e:
        sys.exit(e.exit_code)
    except Abort:
        _say(_stopped_line(stage))
        sys.exit(_interrupted_code())
    except TyperException as e:
        if hasattr(e, "possibilities"):  # click's NoSuchOption, which typer does not export
            _say(f"error: {_unknown_option(e)}")
        elif type(e).__name__ == "NoArgsIsHelpError":  # `jaxart` or `jaxart weights` alone: the help, no error
            _say(e.format_message(), flat=False)
        elif e.format_message():
            _say(f"error: {_usage_message(e)}")
        sys.exit(2)
    except Interrupted as e:
        _say(str(e))
        sys.exit(e.code)
    except (InputError, ValueError, FileNotFoundError) as e:
        from jaxart_cli.options import FLAGS

        _say(f"error: {e.naming(FLAGS) if isinstance(e, InputError) else e}")  # its settings as flags
        sys.exit(2)
    except JaxartError as e:  # a run that failed (NonFiniteLossError), weights not fetched or written, ...
        from jaxart_cli.options import FLAGS

        _say(f"error: {e.naming(FLAGS)}")  # its settings as flags, as bad input's
        sys.exit(1)
    except OSError as e:  # not anticipated by the library: still one line
        # The path given, not the machine, is at fault: pathlib's is_dir() and resolve() raise these.
        if e.errno in BAD_PATH:
            _say(f"error: {e.filename or 'a path given'}: {BAD_PATH[e.errno]}")
            sys.exit(2)
        _say(f"error: {e.strerror or e}{f': {e.filename}' if e.filename else ''}")
        sys.exit(1)
    except RuntimeError as e:
        text = " ".join(str(e).split())
        if text.startswith("Symlink loop from "):  # pathlib's resolve() (Python < 3.13) on a link to itself
            link = text.removeprefix("Symlink loop from ").strip("'")
            _say(f"error: {link} is a symbolic link that leads back to itself; remove or fix the link, or "
                 "give another path")
            sys.exit(2)
        if "RESOURCE_EXHAUSTED" in text or "out of memory" in text.lower():  # the memory check's estimate was low
            _say(f"error: out of memory ({text[:200]}); use a smaller size, fewer settings or --remat where "
                 "the command has them, or close other programs")
            sys.exit(1)
        if "Unable to initialize backend" not in text:
            raise
        _say(f"error: {text}")  # says what JAX_PLATFORMS to set
        sys.exit(2)
    except FloatingPointError as e:  # JAX's debugging settings alone: an inf a step kept (a zoom that found no step)
        if not (debugging := _debugging_nans()):
            raise
        _say(f"error: {e} under {debugging}, which stop{'s' * (' and ' not in debugging)} at the first NaN or "
             f"infinity; unset {debugging} to run on (a NaN or infinite loss then ends the run, keeping the last "
             "finite image)")
        sys.exit(2)
    except KeyboardInterrupt:
        _say(_stopped_line(stage))
        sys.exit(_interrupted_code())
    finally:
        _put_back(previous)
        _forget_interrupts()  # this command's: a later main() in the same process starts afresh


def _command(app: typer.Typer, stage: dict):
    """`app`'s code, its command run; `stage["ended"]` once it has returned or raised: a signal before is a
    KeyboardInterrupt that `run` answers, after, only recorded (`_on_signal`)."""
    try:
        return app(standalone_mode=False, obj=stage)
    finally:
        stage["ended"] = True


# The commands that write nothing before their run begins (signals.run_begins): a Ctrl-C there says so.
_RUNS = ("stylize", "sweep")


def _stopped_line(stage: dict) -> str:
    """The line of a command a signal ended: a run's, before it began, says that nothing was written (it said only
    "error: interrupted", leaving the user to look for a half-written image or a checkpoint to resume); so does one
    that came before any command ran (Typer building the commands, parsing the command line)."""
    if stage["jaxart"] and "command" not in stage:
        return _starting_line()
    if stage.get("command") in _RUNS and not stage.get("running"):
        return _not_begun_line(stage["command"])
    return _interrupted_line()


def _debugging_nans() -> str | None:
    """JAX's settings on (JAX_DEBUG_NANS, JAX_DEBUG_INFS) that turn a NaN or inf into a FloatingPointError: set in
    the environment to find where a NaN comes from, they ended a run at it with a traceback. None if neither is on."""
    jax = sys.modules.get("jax")
    on = [f"JAX_{f.upper()}" for f in ("debug_nans", "debug_infs") if jax and getattr(jax.config, f"jax_{f}", False)]
    return " and ".join(on) or None


def _on_signal(stage: dict, signum, frame) -> None:
    """`on_sigint`, except while the command ends after a signal (its clean-up, its one line, its exit): there a
    second Ctrl-C raised a KeyboardInterrupt of its own, a traceback in place of the first one's line. Once the
    command has returned or raised (`stage["ended"]`) only recorded: raised as `run` said a failure or put the handlers
    back (a Ctrl-C as `put_back` began), it was a traceback, and left this handler set."""
    from jaxart.errors import Interrupted

    if stage.get("ended"):
        _record(signum, frame)
    elif not isinstance(sys.exc_info()[1], (KeyboardInterrupt, SystemExit, Interrupted)):
        _on_sigint(signum, frame)


def _say(line: str, flat: bool = True) -> None:
    """`line` on stderr, as one line unless not `flat` (the help's lines): a newline typed in a value split a usage
    error (`jaxart_cli.common.say`). Only if stderr is still there: with the terminal gone (SIGHUP) writing fails with
    EIO or EPIPE, which turned the exit code, 128 + the signal or 2, into 1; the code is what is left."""
    try:
        (_one_line if flat else typer.echo)(line, err=True)
    except OSError:
        pass
