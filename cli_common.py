"""What the CLI's modules share: Ctrl-C outside a run, comma-separated options and colours, `~` in paths,
which options were given, choices, warnings, and a download with its progress bar. Nothing heavy is imported
at the top: cli.py imports this before the libraries, to answer a Ctrl-C while they load."""

from __future__ import annotations

import gc
import os
import signal
from enum import Enum
from pathlib import Path

# Ctrl-C outside a run (a run's: signals.stop_signals). While the libraries load it ends the command at once (see
# `stop_loading`), not as a KeyboardInterrupt: in a native module's initialisation that aborts the process (jaxlib) or
# is an ImportError (numpy). Later Python drops one raised in a garbage-collection callback (JAX has one), a __del__
# or a weakref callback ("Exception ignored" and a traceback) and goes on; there it is only recorded, and
# `stop_if_interrupted` ends the command at the next check. SIGTERM (`kill`, `timeout`, a batch scheduler) and SIGHUP
# (a closed terminal) are answered the same way, with their own exit codes: their default action killed the process
# silently, leaving a file half written. One ignored at start stays so (POSIX): `nohup`'s SIGHUP, a `&` job's SIGINT.
STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SIGINTS: list[int] = []


def catch(handler) -> dict:
    """Set `handler` for each of STOPS not ignored (`nohup`, a background job); returns the handlers it replaced."""
    return {s: signal.signal(s, handler) for s in STOPS if signal.getsignal(s) is not signal.SIG_IGN}


def stop_loading(signum, frame) -> None:
    """While cli.py imports the libraries nothing is written yet: end now, not once JAX has loaded (seconds later)."""
    SIGINTS.append(signum)
    while frame is not None and frame.f_code.co_name != "_write_atomic":  # a .pyc being written: cli.py ends after it
        frame = frame.f_back
    if frame is None:
        try:
            os.write(2, f"{interrupted_line()}\n".encode())
        finally:  # stderr gone (SIGHUP) or not: the exit code says it
            os._exit(interrupted_code())


def on_sigint(signum, frame) -> None:
    SIGINTS.append(signum)
    dropped = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        code = frame.f_code
        # A weakref's callback (WeakKeyDictionary's `remove`, ...) drops what it raises, as __del__ does.
        if code in dropped or code.co_name == "__del__" or code.co_filename.endswith(("/weakref.py", "/_weakrefset.py")):
            return
        frame = frame.f_back
    raise KeyboardInterrupt


def interrupted() -> bool:
    return bool(SIGINTS)


def stop_if_interrupted() -> None:
    if SIGINTS:
        raise KeyboardInterrupt


def forget_interrupts() -> None:
    SIGINTS.clear()


def interrupted_code() -> int:
    """128 + the signal that interrupted the command: 130 for Ctrl-C (or none recorded), 143 SIGTERM, 129 SIGHUP."""
    return 128 + (SIGINTS[0] if SIGINTS else signal.SIGINT)


def interrupted_line() -> str:
    """The one line an interrupted command ends with; it names a signal other than Ctrl-C."""
    return f"error: {_interrupted_by()}"


def _interrupted_by() -> str:
    """"interrupted", with " by SIGTERM" (or SIGHUP) where that, not Ctrl-C, was the signal."""
    signum = interrupted_code() - 128
    return "interrupted" + ("" if signum == signal.SIGINT else f" by {signal.Signals(signum).name}")


def csv(text: str | None, flag: str, cast=str):
    """The items of option `flag`'s comma-separated `text`, each cast; None stays None."""
    from typer import BadParameter

    if text is None:
        return None
    items = [t.strip() for t in text.split(",")]
    kind = {int: "whole number", float: "number"}.get(cast, "name")
    if not all(items):
        # Where, not the list without it: '1,1,1,1' offered for '1,,1,1,1' was one weight short of the five meant.
        fix = (f" (item {items.index('') + 1} of {len(items)}); put a {kind} there or drop a comma" if any(items)
               else f"; give one or more comma-separated {kind}s")
        raise BadParameter(f"{text!r} has an empty item{fix}", param_hint=flag)
    try:
        return tuple(_plain(t, cast) if cast in (int, float) else cast(t) for t in items)
    except ValueError:
        raise BadParameter(f"{text!r} is not a comma-separated list of {kind}s", param_hint=flag) from None


# Typer's words for a value that is not a number, which cli_errors.usage_message rewrites as advice.
NOT_WHOLE = "Input should be a valid integer, unable to parse string as an integer"
NOT_NUMBER = "Input should be a valid number, unable to parse string as a number"


def _plain(text: str, cast):
    """`text` as an int or a float; int() and float() also read `1_0` as 10, a slip more likely than meant."""
    if "_" in text:
        raise ValueError(text)
    return cast(text)


def whole(raw) -> int:
    """A Typer parser for an integer option: Typer's (pydantic's), but `1_0` is not a whole number."""
    try:
        return _plain(str(raw).strip(), int)
    except ValueError:
        raise ValueError(NOT_WHOLE) from None


def number(raw) -> float:
    """A Typer parser for a float option: Typer's (pydantic's), but `1_0` is not a number."""
    try:
        return _plain(str(raw).strip(), float)
    except ValueError:
        raise ValueError(NOT_NUMBER) from None


def path_or_word(text: str, words) -> str:
    """An existing file made absolute, so that a record or `--resume` finds it from any folder; else as given."""
    return str(Path(text).resolve()) if text not in words and os.path.isfile(text) else text


def home(value):
    """A Typer callback: a leading `~` or `~user` expanded in a path option's value (a Path, a str or a
    list of them; None stays None), as the shell does for it unquoted. One it cannot expand (no
    such user) stays as typed, so the error names it."""
    if isinstance(value, (list, tuple)):
        return [home(v) for v in value]
    if value is None or not str(value).startswith("~"):
        return value
    expanded = os.path.expanduser(str(value))
    return Path(expanded) if isinstance(value, Path) else expanded


def output_path(raw) -> Path:
    """A Typer parser for an output's path. Path() drops a trailing separator, after which `-o newdir/`
    reads as a file without a suffix; here it is still seen, and a folder that does not exist is named
    as one. An existing folder is left to the output checks, which say to give a file in it."""
    return _file_in_folder(raw, "out.png")


def sheet_path(raw) -> Path:
    """`output_path` for a sweep's --output, the contact sheet: the file it suggests is sweep.png, not out.png."""
    return _file_in_folder(raw, "sweep.png")


def animation_path(raw) -> Path:
    """`output_path` for `--animate`, whose example file is a GIF: `--animate newdir/` read as a file `newdir`
    without .gif or .webp, and was refused for its suffix, not as the folder it names."""
    return _file_in_folder(raw, "out.gif")


def _file_in_folder(raw, example: str) -> Path:
    from typer import BadParameter

    if (text := str(raw)) in ("", "-"):  # Path("") is ".", the current folder; "-" was "no suffix: give a name such as -.png"
        raise BadParameter(f"{'- is not standard output here' if text else 'the path is empty'}; give a file name, "
                           f"such as {example}")
    if text.endswith(("/", os.sep)) and not os.path.isdir(os.path.expanduser(text)):
        raise BadParameter(f"{text} is a folder that does not exist; give a file name in it, such as "
                           f"{Path(text) / example} (the folder is created)")
    return Path(text)


def parse_colour(text: str) -> tuple[int, int, int]:
    """A colour name, #rrggbb, rgb(r, g, b) or "r,g,b" as an RGB triple of 0..255 (`color.parse_rgb`)."""
    from jaxart.palette import parse_rgb
    from jaxart.errors import InputError

    try:
        return parse_rgb(text)
    except ValueError as e:
        raise InputError(f"--background {e}") from None


def given(ctx, name: str) -> bool:
    """Whether option `name` is on the command line (not its default)."""
    return getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE"


def unused_option(ctx, optimizer: str) -> str | None:
    """A warning for a given option `optimizer` ignores (optimize.IGNORES's, not imported: it loads JAX), else None."""
    if optimizer != "adam" and given(ctx, "learning_rate"):
        return (f"--learning-rate has no effect with --optimizer {optimizer}, which takes its step sizes from its "
                "curvature estimates; it is the step size of --optimizer adam")
    if optimizer == "adam" and given(ctx, "lbfgs_memory"):
        return ("--lbfgs-memory has no effect with --optimizer adam, which keeps no history of past steps; it is "
                "how many steps --optimizer lbfgs remembers")
    return None


def choices(name: str, values) -> type[Enum]:
    """A `str` Enum of the library's own choices, so the CLI never lists its own copy."""
    return Enum(name, {v: v for v in values}, type=str)


def warn(message: str) -> None:
    say(f"warning: {message}", err=True)


def say(line: str, err: bool = False) -> None:
    """`line` on stdout (stderr with `err`) as one line, as errors are (JaxartError): a file name's newline split it."""
    import typer
    typer.echo(" ".join(str(line).splitlines()), err=err)


def fetch(name: str, quiet: bool, url: str | None = None, **options) -> Path:
    """The file of weight set `name`, downloaded (from `url` if given; with a progress bar unless
    `quiet`; `options`: `weights.fetch`'s timeout and attempts) if registered and missing."""
    from jaxart import progress, weights

    if weights.path_for(name).is_file() or name not in weights.SOURCES:
        return weights.path_for(name)
    weights.folder.check_target(name)  # before the bar is drawn: a bad folder is one line
    if waited := weights.folder.busy(name):  # fetch waits for it (up to its timeouts): not in silence
        warn(f"another jaxart is fetching {name}; waiting for it to finish")
    came = []  # bytes for this process: none where the fetch it waited for installed the set

    def update(done: int, total: int) -> None:
        came.append(done)
        if bar:
            bar(done, total)

    try:
        with progress.download_bar(name, quiet) as bar:
            path = weights.fetch(name, update, url=url, **options)
        if waited and not came:  # its bar is gone: say why nothing was downloaded
            say(f"the other jaxart fetched {name} while this one waited, so this one downloaded nothing", err=True)
        return path
    except KeyboardInterrupt:
        from jaxart.checkpoint import Interrupted

        partial = weights.folder.partial_path(name)
        kept = partial.stat().st_size if partial.is_file() else 0
        if not kept or weights.folder.busy(name):  # nothing kept, or another fetch's (this one waited)
            raise
        raise Interrupted(f"{_interrupted_by()}; the {kept:,} bytes of {name} downloaded so far are kept in {partial}: "
                          f"fetching again resumes there, `jaxart weights remove {name}` deletes them",
                          interrupted_code()) from None
