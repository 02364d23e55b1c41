"""Typer parsers for an option or argument that names a file to read, or a word or a file (`--model`, `--init`):
each refuses at parse time what no later check could name (an empty path, a web address, a Windows path, a list
given to a one-value option), in the words of what to give."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from jaxart.errors import nearest_name
from jaxart.paths import web_address, windows_path
from jaxart_cli.paths import AFTER_DASHES
from jaxart_cli.values import A_LIST, is_a_list, unknown_item


def _refuse_unreadable(raw: str, what: str, argument: bool = False) -> None:
    """Refuse an empty path (which Path() makes ".", read after as "a folder"), a web address (which
    Path() makes `https:/...`, read after as "does not exist") and a Windows path (which `--mask`'s resolving made
    `$PWD/C:\\...`), naming what to give instead; for a command's `argument`, one starting with "-" that is no file is
    said to be an option typed after `--` (click passes no other there)."""
    if not raw:
        raise typer.BadParameter(f"the path is empty; give {what}")
    if not os.path.exists(raw) and (why := web_address(raw) or windows_path(raw)):
        raise typer.BadParameter(why)
    if argument and raw.startswith("-") and raw != "-" and not os.path.lexists(raw):
        raise typer.BadParameter(f"{raw} does not exist: {AFTER_DASHES}")


def to_read(what: str, *, argument: bool = False):
    """A Typer parser for a file to read (`_refuse_unreadable`)."""
    def parse(raw: str) -> Path:
        _refuse_unreadable(raw, what, argument)
        return Path(raw)
    return parse


def word_or_file(what: str, words: tuple[str, ...] = (), *, argument: bool = False, listed: tuple[str, ...] = ()):
    """A Typer parser for an option that takes a word or a file's path (`_refuse_unreadable`), or a weight set's name
    with `words`: a name near one of them (`--model Auto`) that is no file nor weight set is told which word, as a
    choice typed in another case is (words are taken as typed), where it was "unknown model 'Auto'". A list
    (`is_a_list`) of `listed` words or files (`--init content,random`), or of `words`, weight sets or files
    (`--model vgg16-hed,vgg19`), or of names near them (`--model vgg16-hed,vgg91`), is refused as one; one with an
    item that is none of them (`--init content,foo`) names that item, as a list of choices does (`unknown_item`),
    where it was "does not exist (did you mean content?)", a guess at the whole."""
    def taken(item: str) -> bool:
        return item in listed or item in words or os.path.isfile(item) or bool(words) and _weight_set(item)

    def parse(raw: str) -> str:
        _refuse_unreadable(raw, what, argument)
        known = (*listed, *words, *(_weight_sets() if words else ())) if "," in raw else ()
        if not os.path.lexists(raw) and is_a_list(raw, known, taken):
            raise typer.BadParameter(f"{raw!r} {A_LIST}")  # usage_message says that it takes one value
        meant = {item: taken(item) or bool(nearest_name(item, known)) for item in raw.split(",")}
        if not os.path.lexists(raw) and any(meant.values()) and not all(meant.values()):
            raise typer.BadParameter(f"{raw!r} is not {what}{unknown_item(raw, known, meant.get)}")
        if raw not in words and (near := nearest_name(raw, words)) and not os.path.lexists(raw) and \
                not _weight_set(raw):
            raise typer.BadParameter(f"{raw!r} is not {what}{near}")
        return raw
    return parse


def _weight_set(name: str) -> bool:
    """Whether `name` is a registered weight set or one installed in the weights folder (`--model NAME`)."""
    from jaxart import weights

    return name in weights.SOURCES or weights.is_installed(name)


def _weight_sets() -> list[str]:
    """The registered and installed weight sets' names, which a misspelt `--model` item is near."""
    from jaxart import weights

    return [*weights.SOURCES, *weights.installed()]
