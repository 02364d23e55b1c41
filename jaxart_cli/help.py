"""How `--help` reads: every command and group is made with these classes (`cls=`), so its arguments show a value
as its options do (`CONTENT <path>`, `STYLE <path>...`, beside `--mask <path>`), its text wraps at spaces only, and
into a pipe its reader closed it ends as a command's output does."""

from __future__ import annotations

import re

import typer
from typer.core import TyperCommand, TyperGroup

from jaxart_cli.common import echo as _echo

# Held in place of "-" while a text wraps: a non-breaking hyphen, one column wide as "-" is, which the wrapper
# never breaks after. It goes back to "-" as the text is written, so what is shown can be copied.
_HELD = "\u2011"


class _Formatter(typer.Context.formatter_class):
    """Click wraps at hyphens too: "--each-" ended one line and "painting" began the next, an option no one can
    type as shown, and "[default: no-" / "overwrite]" another. Words wrap whole here."""

    def write(self, string: str) -> None:
        super().write(string.replace(_HELD, "-"))

    def write_text(self, text: str) -> None:
        super().write_text(text.replace("-", _HELD))

    def write_dl(self, rows, *args, **kwargs) -> None:
        super().write_dl([(first, second.replace("-", _HELD)) for first, second in rows], *args, **kwargs)


class _Context(typer.Context):
    formatter_class = _Formatter


def _show_help(ctx: typer.Context, param, value: bool) -> None:
    """Click's --help callback, written with `common.echo`: `jaxart --help | head -1` exited 1 (click's exit on a
    closed pipe), a failure under `set -o pipefail`; now 0, as a command's own output into a closed pipe ends."""
    if value and not ctx.resilient_parsing:
        _echo(ctx.get_help())
        ctx.exit()


class _QuietHelp:
    """A command or group whose --help option is `_show_help`, and which keeps the words click was given (`ctx.typed`)
    for the lines that say how they were read (`paths.typed`): sys.argv's are another program's where the app is
    called from Python (`app([...])`, a CliRunner)."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        ctx.typed = list(args)
        return super().parse_args(ctx, args)

    def get_help_option(self, ctx: typer.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.callback = _show_help
        return option


def _as_value(name: str) -> str:
    """An argument's help name with its value shown as an option's: Typer shows the Python type an argument's
    parser returns (`CONTENT <Path>`, `STYLE <list[Path]>`), where an option shows `<path>`."""
    return re.sub(r" <(?:list\[(\w+)\]|(\w+))>$",
                  lambda m: f" <{(m[1] or m[2]).lower()}>{'...' if m[1] else ''}", name)


class Command(_QuietHelp, TyperCommand):
    """A command whose --help shows its arguments' values as its options' are, and wraps words whole."""

    context_class = _Context

    def invoke(self, ctx: typer.Context):
        if isinstance(ctx.obj, dict):  # errors.run's: which command a Ctrl-C ended (`stylize`, not `weights list`)
            ctx.obj["command"] = ctx.info_name
        return super().invoke(ctx)

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        from jaxart_cli.other_names import check_single_dash
        from jaxart_cli.command_names import command_path
        from jaxart_cli.misread import check_flag_with_value, check_option_as_value
        from jaxart_cli.repeated import check_repeated

        ctx.typed = list(args)  # as _QuietHelp keeps them, for these checks' lines too
        check_single_dash(ctx, args, command_path(ctx))  # `-image_size 256`, before click reads it as -i ...
        check_option_as_value(ctx, args)  # before click takes the option after an option for its value
        check_flag_with_value(ctx, args)  # `--overwrite yes`, before click takes yes for an argument
        check_repeated(ctx, args)  # `-o a.png -o b.png`, before click keeps the last
        return super().parse_args(ctx, args)

    def format_options(self, ctx: typer.Context, formatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            if (record := param.get_help_record(ctx)) is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_as_value(record[0]), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class Group(_QuietHelp, TyperGroup):
    """A group (`jaxart`, `jaxart weights`) whose --help wraps words whole."""

    context_class = _Context


def commands(app: typer.Typer, summaries: dict[str, str]):
    """`app.command` as every command is made here: a Command, and its line in the group's --help the whole
    sentence `summaries` gives its name. Click cut the docstring's first sentence to the room left ("Paint CONTENT
    in the style of STYLES and write an image with...", "Registered, installed and partly downloaded weight
    sets:..."); each summary is kept to 45 characters, the room a group's 60-column --help leaves."""

    def command(name: str):
        return app.command(name, cls=Command, short_help=summaries[name])

    return command
