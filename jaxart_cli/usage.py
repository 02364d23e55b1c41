"""Click's usage errors in words that say what to give: a value of the wrong type, a choice not taken, a missing or
an extra argument, a command or an option that does not exist; each names the command and its --help."""

from __future__ import annotations

import difflib
import os
import re
import shlex
import sys

from typer.exceptions import TyperException

from jaxart_cli import other_names
from jaxart_cli.paths import after_dashes as _after_dashes, before_dashes
from jaxart_cli.values import A_LIST, NOT_NUMBER as _NOT_NUMBER, NOT_WHOLE as _NOT_WHOLE, SWEPT as _SWEPT, is_a_list
from jaxart_cli.values import one_value, typed_value


# Typer's own wording for a value of the wrong type, and what a user reads instead.
_KINDS = {_NOT_WHOLE: "a whole number", _NOT_NUMBER: "a number"}
# Typer quotes the name of an option or argument ('--size', 'CONTENT') and each choice it lists ('lbfgs', 'adam');
# jaxart's own lines name them bare and quote only the value given: "--optimizer: 'sgd' is not one of lbfgs, adam".
_QUOTED_NAME = re.compile(r"^(Invalid value for|Missing argument|Missing option|Option) ('[^']+'(?: / '[^']+')*)")
_QUOTED_CHOICES = re.compile(r"(?:'(?P<given>[^']*)' )?is not one of (?P<choices>(?:'[^']*', )*'[^']*')\.$")


def _choices_named(m: re.Match) -> str:
    """Typer's "'Adam' is not one of 'lbfgs', 'adam'." as "'Adam' is not one of lbfgs, adam (did you mean adam?)": a
    word is taken as typed, in its case, and one near a choice is told which."""
    from jaxart.errors import nearest_name

    choices, given = m["choices"].replace("'", ""), m["given"]  # None: a value with a ' in it, "-quoted
    said = "" if given is None else f"'{given}' "
    return f"{said}is not one of {choices}{nearest_name(given or '', choices.split(', '))}"


# Click's "No such command 'stylise'. Did you mean 'stylize'?", the guess only for a close spelling.
_NO_SUCH_COMMAND = re.compile(r"No such command '(?P<name>.*)'\.(?: Did you mean '(?P<guess>[^']*)'\?)?", re.S)


def _typed_again(stray: str) -> str:
    """What followed `jaxart` on the command line, quoted for the shell, when it starts with the file `stray` and a
    painting (the app reads sys.argv); else `stray` and a placeholder for the painting."""
    typed = sys.argv[1:]
    if typed[:1] == [stray] and typed[1:2] and not typed[1].startswith("-"):
        return shlex.join(typed)
    return f"{shlex.quote(stray)} PAINTING"


def usage_message(e: TyperException) -> str:
    """Click's usage error in words that say what to give: "not a whole number; e.g. --size 512"
    for "Input should be a valid integer, unable to parse string as an integer", no "Value error, "
    before the library's own message, and the command's --help after a missing or an extra argument or a file
    where the command goes. "Invalid value: " is dropped before a refusal that names no option: it says what to give."""
    text = e.format_message().replace("Value error, ", "").removeprefix("Invalid value: ")
    text = _QUOTED_NAME.sub(lambda m: f"{m[1]} {m[2]}".replace("'", ""), text)
    param, ctx = getattr(e, "param", None), getattr(e, "ctx", None)
    listed = _QUOTED_CHOICES.search(text)
    if listed and listed["given"] and is_a_list(listed["given"], listed["choices"].replace("'", "").split(", ")):
        text = f"{text[:listed.start()]}'{listed['given']}' {A_LIST}"  # `--optimizer lbfgs,adam`: no guess at one
    text = _QUOTED_CHOICES.sub(_choices_named, text)
    if param is not None and ctx is not None and text.endswith(f"' {A_LIST}"):
        text += one_value(max(param.opts, key=len), ctx.command.name)
    if text.startswith("Option "):  # "Option --size requires an argument.": no full stop, as jaxart's lines end
        text = text.removesuffix(".")
    if ctx is not None and (read := _file_read_as_value(ctx)):  # `-out.png`: -o ut.png, then a painting short
        return _read_as_options(ctx, read)
    if no_command := _NO_SUCH_COMMAND.fullmatch(text):
        group = command_path(ctx) if ctx is not None else "jaxart"
        stray, guess = no_command["name"], no_command["guess"]
        if "." in stray or "/" in stray:  # a file where the command goes: `jaxart photo.jpg ...`
            top = ctx is None or ctx.parent is None
            hint = f"; to paint a photo: `{group} stylize {_typed_again(stray)}`" if top else ""
            return f"`{group}` has no command {stray}: give a command before the files{hint}; see `{group} --help`"
        if guess:  # a misspelt command (`jaxart stylise`): click's guess, which it put around the name given
            return f"`{group}` has no command {stray} (did you mean {guess}?); see `{group} --help`"
        return f"`{group}` has no command {stray}; see `{group} --help` for its commands"
    for said, kind in _KINDS.items():
        if param is not None and said in text:
            flag = max(param.opts, key=len)
            example = f" (e.g. {flag} {param.default})" if isinstance(param.default, (int, float)) else ""
            text = text.replace(said, f"give {kind}{example}")
            if flag in _SWEPT and "," in typed_value(param.opts):  # stylize's `--style-weight 1,10`: a sweep's list
                text += f"; {flag} takes one value (`jaxart sweep` compares several, comma-separated)"
            elif "," in typed_value(param.opts) and ctx is not None and ctx.command.name == "sweep":
                # `sweep --size 64,32` was told only "give a whole number", where the options it sweeps take lists.
                text += (f"; {flag} takes one value in a sweep, which compares values of "
                         f"{', '.join(_SWEPT[:-1])} or {_SWEPT[-1]} (comma-separated)")
    if type(e).__name__ == "MissingParameter" and ctx is not None:  # --name typed after `--`: said so
        text = f"{text.rstrip('.')}{_after_dashes(param.opts if param else ())}; see `{command_path(ctx)} --help`"
    extra = text.removeprefix("Got unexpected extra argument(s) (")
    if extra != text and ctx is not None:  # click said only that, with no hint of what the command takes
        takes = " ".join((p.metavar or p.name.upper()) for p in ctx.command.params if p.param_type_name == "argument")
        command, extra = command_path(ctx), extra.removesuffix(")")
        text = (f"`{command}` takes {f'only {takes}, but was also' if takes else 'no arguments, but was'} given "
                f"{extra!r}{_after_dashes(extra.split())}; see `{command} --help`")
    return text


# The commands that write a weight set: into the weights folder, by name, so that --model finds it.
_INSTALLING = (["weights", "fetch"], ["weights", "convert"], ["weights", "normalize"])


def unknown_option(e: TyperException) -> str:
    """Click's "No such option" as one line that names the command, says which other command takes
    the option, and points to the command's --help. Of click's guesses only close spellings: it
    answered `sweep --style-layers` with "Possible options: --style-weight", `--lr` with "--help"."""
    ctx, name = e.ctx, e.option_name
    if ctx is None:
        return e.format_message()
    group = command_path(ctx.parent) if ctx.parent else "jaxart"
    command = command_path(ctx)
    if name[1:] == "=" and (flag := _flag_given_a_value(ctx)):  # `-q=1`: click took -q, then "=" as an option
        switch = next(max(p.opts, key=len) for p in ctx.command.params if flag in p.opts)
        return f"Option {flag} ({switch}) does not take a value; give {flag} alone, or leave it out"
    text = f"`{command}` has no option {name}"
    if file := _file_like_option(name):  # `jaxart stylize -dash.jpg ...`: click read the file's name as -d, -a, ...
        return (f"{text}: {file}, a file here, was read as options; write it ./{file}, or put `--` before the files; "
                f"see `{command} --help`")
    siblings = getattr(ctx.parent.command, "commands", {}) if ctx.parent else {}
    others = [n for n, c in sorted(siblings.items()) if c is not ctx.command and any(name in p.opts for p in c.params)]
    guesses = difflib.get_close_matches(name, [p for p in e.possibilities or () if p != "--help"], cutoff=0.7)
    if others:
        text += f" (an option of {' and '.join(f'`{group} {o}`' for o in others)})"
    elif name in ("-o", "--output") and _names(ctx) in _INSTALLING:  # by `jaxart` or `python -m jaxart`
        from jaxart.errors import WeightsError
        from jaxart.weights import folder

        try:
            where = f"the weights folder, {folder.weights_dir()}"
        except WeightsError:  # no home folder to put it in (a container's --user): this line is not the place
            where = "the weights folder"
        text += (f": it installs weights by name in {where}, where --model NAME "
                 "finds them (set JAXART_WEIGHTS_DIR for another folder)")
    elif theirs := other_names.hint(name, {o for p in ctx.command.params for o in p.opts}):
        text += f" ({theirs})"  # another program's name: was no hint, or a loose guess
    elif guesses:
        text += f" (did you mean {' or '.join(guesses)}?)"
    return f"{text}; see `{command} --help` for its options"


def _file_like_option(name: str) -> str | None:
    """The word of the command line (sys.argv) that click read as the unknown option `name` where it names a file or
    folder here: a name that starts with "-" (`-dash.jpg`, `--x.png`). Click reads `-quiet.png` as -q, then -u: a
    short option's letter may come after switches it knows."""
    def read_as(arg: str) -> bool:  # `-j` typed alone is no letter of photo.jpg
        return arg.startswith(name) if name.startswith("--") else bool(re.match(r"-[^-]", arg)) and name[1] in arg[1:]

    return next((arg for arg in sys.argv[1:] if arg != "-" and read_as(arg) and os.path.lexists(arg)), None)


def _file_read_as_value(ctx) -> tuple[str, str, str] | None:
    """The word of the command line (sys.argv) naming a file or folder here that click read as short switches and an
    option with its value (`-out.png` as -o ut.png, `-qout.png` as -q -o ut.png): (the word, the option, the value);
    None if none. No "no such option" came of it to say so, only what went missing after it."""
    shorts = {o: p for p in ctx.command.params for o in p.opts if len(o) == 2}
    takes = {o for p in ctx.command.params if _takes_value(p) for o in p.opts}
    words = before_dashes(sys.argv[1:])
    for before, arg in zip(["", *words], words):
        if before in takes or not re.fullmatch(r"-[^-].+", arg, re.S) or not os.path.lexists(arg):
            continue  # `-o -out.png`: the value of -o, the file as given
        for i, letter in enumerate(arg[1:], 2):
            if (param := shorts.get(f"-{letter}")) is None:
                break  # an unknown option: `unknown_option` says it
            if _takes_value(param):
                if arg[i:]:
                    return arg, f"-{letter}", arg[i:]
                break
    return None


def _takes_value(param) -> bool:
    """Whether click's `param` is an option that takes a value (not a switch, a count or an argument)."""
    return param.param_type_name == "option" and not (param.is_flag or param.count)


def check_file_read_as_value(ctx) -> None:
    """Refuse, in `usage_message`'s line, a command line where a file here was read as an option and its value and
    nothing went missing after it to say so: `jaxart stylize -out.png paint.png other.png` painted paint.png in
    other.png's style into ut.png. Not where the option's value is the whole word (`-o -out.png`)."""
    from typer import BadParameter

    if (read := _file_read_as_value(ctx)) is not None:
        name = next(p.name for p in ctx.command.params if read[1] in p.opts)
        if str(ctx.params.get(name)) == read[2]:
            raise BadParameter(_read_as_options(ctx, read), ctx=ctx)


def check_option_as_value(ctx, args: list[str]) -> None:
    """Refuse an option typed without its value before another option, which click took for the value: `--output
    --quiet` was "output --quiet has no suffix", `--size --steps 5` "give a whole number" for --size, `--model -q`
    "unknown model '-q'". A file or folder of that name here is a value, as click takes it; so is `--output=--quiet`."""
    from typer import BadParameter

    params = {o: p for p in ctx.command.params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts)}
    names = {*params, *ctx.help_option_names}
    i = 0
    while i < len(args) - 1 and args[i] != "--":
        param, after = params.get(args[i]), args[i + 1]
        if param is None or not _takes_value(param):
            i += 1
            continue
        if after.partition("=")[0] in names and not os.path.lexists(after):
            raise BadParameter(f"Option {args[i]} requires an argument: it took {after}, the option after it, as its "
                               f"value; give the value right after {args[i]}", ctx=ctx)
        i += 2


def _read_as_options(ctx, read: tuple[str, str, str]) -> str:
    (word, flag, value), command = read, command_path(ctx)
    return (f"`{command}`: {word}, a file here, was read as options ({flag} {value}); write it ./{word}, or put "
            f"`--` before the files; see `{command} --help`")


def _flag_given_a_value(ctx) -> str | None:
    """The command's short switch typed with "=" and a value (`-q=1`), as the command line has it: click reads
    each letter after "-" as an option, so it took -q and said "has no option -=", which names nothing typed."""
    for arg in sys.argv[1:]:
        if re.fullmatch(r"-[^-=]+=.*", arg, re.S):
            flag = f"-{arg.split('=')[0][-1]}"
            if any(flag in p.opts for p in ctx.command.params):
                return flag
    return None


def command_path(ctx) -> str:
    """The command as the user can type it again: `jaxart weights list`, or `python -m jaxart weights list` where
    that ran it (as click's usage line names it: the `jaxart` script may not be on PATH); `jaxart` whatever else
    ran it (`python cli.py`, a test's CliRunner)."""
    return " ".join([program(ctx), *_names(ctx)])


def program(ctx) -> str:
    """The program as the user can type it again: `python -m jaxart` where that ran it, else `jaxart`."""
    return _BY_MODULE if ctx.find_root().info_name == _BY_MODULE else "jaxart"


def _names(ctx) -> list[str]:
    """The command's words after the program's: ["weights", "list"]."""
    return [*_names(ctx.parent), ctx.info_name] if ctx.parent is not None else []


# How click names the program run as `python -m jaxart` (as `python3 -m jaxart` too): its usage line's words.
_BY_MODULE = "python -m jaxart"
