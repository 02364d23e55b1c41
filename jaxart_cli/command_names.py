"""A command as the user can type it again (`jaxart weights list`, `python -m jaxart sweep`), for every line that
names one."""

from __future__ import annotations


def command_path(ctx) -> str:
    """The command as the user can type it again: `jaxart weights list`, or `python -m jaxart weights list` where
    that ran it (as click's usage line names it: the `jaxart` script may not be on PATH); `jaxart` whatever else
    ran it (`python cli.py`, a test's CliRunner)."""
    return " ".join([program(ctx), *command_words(ctx)])


def program(ctx) -> str:
    """The program as the user can type it again: `python -m jaxart` where that ran it, else `jaxart`."""
    return _BY_MODULE if ctx.find_root().info_name == _BY_MODULE else "jaxart"


def command_words(ctx) -> list[str]:
    """The command's words after the program's: ["weights", "list"]."""
    return [*command_words(ctx.parent), ctx.info_name] if ctx.parent is not None else []


def option_above(ctx, name: str) -> str | None:
    """`name` (`--version`) typed again as an option of `ctx`'s group or command or of one above it, where it is
    one: `jaxart --version`, for `jaxart stylize --version` and `jaxart version`, which said "no option" and "no
    command" without it; None where none takes it."""
    while ctx is not None:
        if any(name in p.opts for p in ctx.command.params):
            return f"{command_path(ctx)} {name}"
        ctx = ctx.parent
    return None


# How click names the program run as `python -m jaxart` (as `python3 -m jaxart` too): its usage line's words.
_BY_MODULE = "python -m jaxart"
