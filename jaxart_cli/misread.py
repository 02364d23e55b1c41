"""Command lines click read otherwise than meant, refused or named: a file whose name starts with a dash read as
options (`-out.png` as -o ut.png), an option typed without its value taking the option after it, a switch given
"=" and a value (`-q=1`), a value typed after an on/off flag (`--overwrite yes`). Each reads the words click was
given (`paths.typed`)."""

from __future__ import annotations

import os
import re

from jaxart_cli.command_names import command_path
from jaxart_cli.paths import before_dashes, typed


def file_like_option(ctx, name: str) -> str | None:
    """The word of the command line that click read as the unknown option `name` where it names a file or
    folder here: a name that starts with "-" (`-dash.jpg`, `--x.png`). Click reads `-quiet.png` as -q, then -u: a
    short option's letter may come after switches it knows."""
    def read_as(arg: str) -> bool:  # `-j` typed alone is no letter of photo.jpg
        return arg.startswith(name) if name.startswith("--") else bool(re.match(r"-[^-]", arg)) and name[1] in arg[1:]

    return next((arg for arg in typed(ctx) if arg != "-" and read_as(arg) and os.path.lexists(arg)), None)


def file_read_as_value(ctx) -> tuple[str, str, str] | None:
    """The word of the command line naming a file or folder here that click read as short switches and an
    option with its value (`-out.png` as -o ut.png, `-qout.png` as -q -o ut.png): (the word, the option, the value);
    None if none. No "no such option" came of it to say so, only what went missing after it."""
    shorts = {o: p for p in ctx.command.params for o in p.opts if len(o) == 2}
    words = before_dashes(typed(ctx))
    for before, arg in zip(["", *words], words):
        if value_next(before, ctx.command) or not re.fullmatch(r"-[^-].+", arg, re.S) or not os.path.lexists(arg):
            continue  # `-o -out.png`: the value of -o, the file as given
        for i, letter in enumerate(arg[1:], 2):
            if (param := shorts.get(f"-{letter}")) is None:
                break  # an unknown option: `usage.unknown_option` says it
            if takes_value(param):
                if arg[i:]:
                    return arg, f"-{letter}", arg[i:]
                break
    return None


def takes_value(param) -> bool:
    """Whether click's `param` is an option that takes a value (not a switch, a count or an argument)."""
    return param.param_type_name == "option" and not (param.is_flag or param.count)


def value_next(word: str, command) -> bool:
    """Whether click takes the word after `word` as its value: `word` is an option that takes one (`-o`, `--output`),
    or short switches that end in one (`-qo`, as -q -o)."""
    params = {o: p for p in command.params for o in p.opts}
    if word in params:
        return takes_value(params[word])
    for i, letter in enumerate(word[1:] if re.fullmatch(r"-[^-=]+", word) else "", 2):
        if (param := params.get(f"-{letter}")) is None or takes_value(param):
            return param is not None and i == len(word)  # `-ofile.png`: the value is the rest of the word
    return False


def check_file_read_as_value(ctx) -> None:
    """Refuse, in `usage.usage_message`'s line, a command line where a file here was read as an option and its value and
    nothing went missing after it to say so: `jaxart stylize -out.png paint.png other.png` painted paint.png in
    other.png's style into ut.png. Not where the option's value is the whole word (`-o -out.png`)."""
    from typer import BadParameter

    if (read := file_read_as_value(ctx)) is not None:
        name = next(p.name for p in ctx.command.params if read[1] in p.opts)
        if str(ctx.params.get(name)) == read[2]:
            raise BadParameter(read_as_options(ctx, read), ctx=ctx)


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
        if param is None or not takes_value(param):
            i += 1
            continue
        if after.partition("=")[0] in names and not os.path.lexists(after):
            raise BadParameter(f"Option {args[i]} requires an argument: it took {after}, the option after it, as its "
                               f"value; give the value right after {args[i]}", ctx=ctx)
        i += 2


def read_as_options(ctx, read: tuple[str, str, str]) -> str:
    (word, flag, value), command = read, command_path(ctx)
    return (f"`{command}`: {word}, a file here, was read as options ({flag} {value}); write it ./{word}, or put "
            f"`--` before the files; see `{command} --help`")


def flag_given_a_value(ctx) -> str | None:
    """The command's short switch typed with "=" and a value (`-q=1`), as the command line has it: click reads
    each letter after "-" as an option, so it took -q and said "has no option -=", which names nothing typed."""
    for arg in typed(ctx):
        if re.fullmatch(r"-[^-=]+=.*", arg, re.S):
            flag = f"-{arg.split('=')[0][-1]}"
            if any(flag in p.opts for p in ctx.command.params):
                return flag
    return None


# What a user types after an on/off flag meaning it on or off; another word there (`--overwrite photo.jpg`) is a file.
_SWITCHES = {"yes", "no", "y", "n", "true", "false", "on", "off", "1", "0"}


def check_flag_with_value(ctx, args: list[str]) -> None:
    """Refuse a word meaning on or off typed after an on/off flag (`--overwrite yes`, `--quiet true`), of every command
    (help.Command.parse_args), where no file or folder of that name is here: click took it for an argument, and the line
    was "yes does not exist; check the path" (stylize) or "takes no arguments, but was given 'yes'" (bench), no word of
    the flag. A value of an option that takes one (`--output --quiet`, a file here) is not a flag."""
    from typer import BadParameter

    params = {o: p for p in ctx.command.params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts)}
    words = before_dashes(args)
    for i, (flag, word) in enumerate(zip(words, words[1:])):
        param = params.get(flag)
        if param is None or not param.is_flag or word.lower() not in _SWITCHES or os.path.lexists(word):
            continue
        if i > 0 and value_next(words[i - 1], ctx.command):
            continue  # `--output --quiet yes`: --quiet is --output's value (a file here)
        paths = any(p.param_type_name == "argument" and "Path" in p.get_help_record(ctx)[0] for p in ctx.command.params)
        names = " or ".join(max(names, key=len) for names in (param.opts, param.secondary_opts) if names)
        raise BadParameter(f"{word} after {flag} was taken for {'a file' if paths else 'an argument'}; {flag} takes "
                           f"no value: give {names} alone", ctx=ctx)
