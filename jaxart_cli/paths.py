"""Paths as the CLI reads them: `~` expanded, an existing input made absolute, and an output's path whose trailing
separator still says it is a folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def path_or_word(text: str, words) -> str:
    """An existing file made absolute, so that a record or `--resume` finds it from any folder; else as given."""
    return str(Path(text).resolve()) if text not in words and os.path.isfile(text) else text


def absolute(config):
    """`config` with its --init and --mask files made absolute (`path_or_word`), as the run records and checkpoints
    them. The CLI's config holds them as typed until the run starts, so that each line before it names the path the
    user gave: resolved, a link's said its target's name, which the user never typed."""
    from jaxart.config import INITS
    from jaxart.paths import resolved

    return config.replace(init=path_or_word(config.init, INITS),
                          mask=None if config.mask is None else str(resolved(config.mask)))


def as_given(config, made) -> dict[str, str]:
    """The --init and --mask files of `made` (`absolute(config)`, as the record keeps them) by the paths `config`
    holds as typed, for the captions that name them (a link by its own name)."""
    return {getattr(made, k): str(getattr(config, k)) for k in ("init", "mask")
            if getattr(made, k) is not None and getattr(made, k) != getattr(config, k)}


# What a command says of a word typed after `--` that is no file: click passes everything there as an argument.
AFTER_DASHES = "everything after `--` is read as a file's name, options too; put options before `--`"


def typed(ctx) -> list[str]:
    """The words click was given for `ctx`'s command or group (help.Command.parse_args keeps them), where sys.argv's
    are another program's when the app is called from Python (`app([...])`, a CliRunner); sys.argv's past the program
    where none were kept (`ctx` None)."""
    words = getattr(ctx, "typed", None)
    return list(sys.argv[1:] if words is None else words)


def before_dashes(words: list[str]) -> list[str]:
    """`words` (the command line's) up to a `--`, after which click reads every word as an argument."""
    return words[:words.index("--")] if "--" in words else list(words)


def after_dashes(ctx, words) -> str:
    """": " + AFTER_DASHES where one of `words` (an option's names, an argument's values) was typed after `--` and
    looks like an option, in the words click was given for `ctx` (`typed`); else "". An option there was "Missing
    option --name" or an extra argument, which named no cause."""
    given = typed(ctx)
    after = given[given.index("--") + 1:] if "--" in given else []
    options = {w.partition("=")[0] for w in after if w.startswith("-") and w != "-"}
    return f": {AFTER_DASHES}" if options & {str(w).partition("=")[0] for w in words} else ""


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

    # Path("") is ".", the current folder; "-" was "no suffix: give a name such as -.png"
    if (text := str(raw)) in ("", "-"):
        raise BadParameter(f"{'- is not standard output here' if text else 'the path is empty'}; give a file name, "
                           f"such as {example}")
    from jaxart.formats import spaced

    if why := spaced(text):  # `-o "out.png "`
        raise BadParameter(why)
    if text.endswith(("/", os.sep)) and not os.path.isdir(os.path.expanduser(text)):
        raise BadParameter(f"{text} is a folder that does not exist; give a file name in it, such as "
                           f"{Path(text) / example} (the folder is created)")
    return Path(text)
