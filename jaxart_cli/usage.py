"""Click's usage errors in words that say what to give: a value of the wrong type, a choice not taken, a missing or
an extra argument, a command or an option that does not exist; each names the command and its --help."""

from __future__ import annotations

import difflib
import re
import shlex

from typer.exceptions import TyperException

from jaxart_cli import other_names
from jaxart_cli.command_names import command_path, command_words, option_above
from jaxart_cli.misread import file_like_option, file_read_as_value, flag_given_a_value, read_as_options
from jaxart_cli.paths import after_dashes as _after_dashes, typed as _typed
from jaxart_cli.values import A_LIST, NOT_NUMBER as _NOT_NUMBER, NOT_WHOLE as _NOT_WHOLE, SWEPT as _SWEPT, is_a_list
from jaxart_cli.values import one_value, typed_value, unknown_item


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
    known = choices.split(", ")
    return f"{said}is not one of {choices}{unknown_item(given or '', known) or nearest_name(given or '', known)}"


# Click's "No such command 'stylise'. Did you mean 'stylize'?", the guess only for a close spelling.
_NO_SUCH_COMMAND = re.compile(r"No such command '(?P<name>.*)'\.(?: Did you mean '(?P<guess>[^']*)'\?)?", re.S)


def _typed_again(ctx, stray: str) -> str:
    """What followed `jaxart` on the command line, quoted for the shell, when it starts with the file `stray` and a
    painting; else `stray` and a placeholder for the painting."""
    typed = _typed(ctx)
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
    if ctx is not None and (read := file_read_as_value(ctx)):  # `-out.png`: -o ut.png, then a painting short
        return read_as_options(ctx, read)
    if no_command := _NO_SUCH_COMMAND.fullmatch(text):
        group = command_path(ctx) if ctx is not None else "jaxart"
        stray, guess = no_command["name"], no_command["guess"]
        if "." in stray or "/" in stray:  # a file where the command goes: `jaxart photo.jpg ...`
            top = ctx is None or ctx.parent is None
            hint = f"; to paint a photo: `{group} stylize {_typed_again(ctx, stray)}`" if top else ""
            return f"`{group}` has no command {stray}: give a command before the files{hint}; see `{group} --help`"
        if above := option_above(ctx, f"--{stray}"):  # `jaxart version`
            return f"`{group}` has no command {stray} (did you mean `{above}`?); see `{group} --help`"
        if guess:  # a misspelt command (`jaxart stylise`): click's guess, which it put around the name given
            return f"`{group}` has no command {stray} (did you mean {guess}?); see `{group} --help`"
        return f"`{group}` has no command {stray}; see `{group} --help` for its commands"
    for said, kind in _KINDS.items():
        if param is not None and said in text:
            flag = max(param.opts, key=len)
            example = f" (e.g. {flag} {param.default})" if isinstance(param.default, (int, float)) else ""
            text = text.replace(said, f"give {kind}{example}")
            listed = "," in typed_value(ctx, param.opts)
            if flag in _SWEPT and listed:  # stylize's `--style-weight 1,10`: a sweep's list
                text += f"; {flag} takes one value (`jaxart sweep` compares several, comma-separated)"
            elif listed and ctx is not None and ctx.command.name == "sweep":
                # `sweep --size 64,32` was told only "give a whole number", where the options it sweeps take lists.
                text += (f"; {flag} takes one value in a sweep, which compares values of "
                         f"{', '.join(_SWEPT[:-1])} or {_SWEPT[-1]} (comma-separated)")
    if type(e).__name__ == "MissingParameter" and ctx is not None:  # --name typed after `--`: said so
        text = f"{text.rstrip('.')}{_after_dashes(ctx, param.opts if param else ())}; see `{command_path(ctx)} --help`"
    extra = text.removeprefix("Got unexpected extra argument(s) (")
    if extra != text and ctx is not None:  # click said only that, with no hint of what the command takes
        takes = " ".join((p.metavar or p.name.upper()) for p in ctx.command.params if p.param_type_name == "argument")
        command, extra = command_path(ctx), extra.removesuffix(")")
        text = (f"`{command}` takes {f'only {takes}, but was also' if takes else 'no arguments, but was'} given "
                f"{extra!r}{_after_dashes(ctx, extra.split())}; see `{command} --help`")
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
    if name[1:] == "=" and (flag := flag_given_a_value(ctx)):  # `-q=1`: click took -q, then "=" as an option
        switch = next(max(p.opts, key=len) for p in ctx.command.params if flag in p.opts)
        return f"Option {flag} ({switch}) does not take a value; give {flag} alone, or leave it out"
    text = f"`{command}` has no option {name}"
    if file := file_like_option(ctx, name):  # `jaxart stylize -dash.jpg ...`: click read the file's name as -d, -a, ...
        return (f"{text}: {file}, a file here, was read as options; write it ./{file}, or put `--` before the files; "
                f"see `{command} --help`")
    siblings = getattr(ctx.parent.command, "commands", {}) if ctx.parent else {}
    others = [n for n, c in sorted(siblings.items()) if c is not ctx.command and any(name in p.opts for p in c.params)]
    guesses = difflib.get_close_matches(name, [p for p in e.possibilities or () if p != "--help"], cutoff=0.7)
    if above := option_above(ctx.parent, name):  # `jaxart stylize --version`
        text += f" (did you mean `{above}`?)"
    elif others:
        text += f" (an option of {' and '.join(f'`{group} {o}`' for o in others)})"
    elif name in ("-o", "--output") and command_words(ctx) in _INSTALLING:  # by `jaxart` or `python -m jaxart`
        from jaxart.errors import WeightsError
        from jaxart.weights import folder

        try:
            where = f"the weights folder, {folder.weights_dir()}"
        except WeightsError:  # no home folder to put it in (a container's --user): this line is not the place
            where = "the weights folder"
        text += (f": it installs weights by name in {where}, where --model NAME "
                 "finds them (set JAXART_WEIGHTS_DIR for another folder)")
    elif theirs := other_names.hint(name, other_names.option_names(ctx.command)):
        text += f" ({theirs})"  # another program's name: was no hint, or a loose guess
    elif guesses:
        text += f" (did you mean {' or '.join(guesses)}?)"
    return f"{text}; see `{command} --help` for its options"
