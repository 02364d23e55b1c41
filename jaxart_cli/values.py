"""How the CLI reads option values: comma-separated lists, whole numbers and numbers (never `1_0`), colours, and
the library's choices as an Enum."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from enum import Enum

from jaxart.errors import nearest_name
from jaxart_cli.paths import typed


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
    values = []
    for i, t in enumerate(items):
        try:
            values.append(_plain(t, cast) if cast in (int, float) else cast(t))
        except ValueError:  # which one: '1,1O' at a glance reads as two numbers
            where = f" (item {i + 1} of {len(items)}, {t!r}, is not a {kind})" if len(items) > 1 else ""
            raise BadParameter(f"{text!r} is not a comma-separated list of {kind}s{where}", param_hint=flag) from None
    return tuple(values)


# Typer's words for a value that is not a number, which jaxart_cli.usage.usage_message rewrites as advice.
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


def interval(value: int, flag: str) -> int:
    """`value` of a count of steps between saves (`--save-every`, `--checkpoint-every`), refused below 0 with the
    value echoed, as the other numbers' refusals do ("must be 0 or positive" said not what was given)."""
    if value < 0:
        from typer import BadParameter

        raise BadParameter(f"must be 0 or positive, got {value}", param_hint=flag)
    return value


def parse_colour(text: str) -> tuple[int, int, int]:
    """A colour name, #rrggbb, rgb(r, g, b) or "r,g,b" as an RGB triple of 0..255 (`palette.parse_rgb`)."""
    from jaxart.palette import parse_rgb
    from jaxart.errors import InputError

    try:
        return parse_rgb(text)
    except ValueError as e:
        raise InputError(f"--background {e}") from None


def choices(name: str, values) -> type[Enum]:
    """A `str` Enum of the library's own choices, so the CLI never lists its own copy."""
    return Enum(name, {v: v for v in values}, type=str)


# Options whose value is a comma-separated list, in every command; `jaxart sweep` adds its swept ones.
LISTS = ("--style-blend", "--scales", "--steps", "--style-layers", "--content-layers", "--style-layer-weights")
SWEPT = ("--style-weight", "--content-weight", "--tv-weight", "--seed", "--style-scale")
# What a list's item typed after a space looks like: numbers, or VGG layer names; never a file's name.
_ITEMS = re.compile(r"(?:[-+.\deE]*\d[-+.\deE]*|(?:relu|conv)\d_\d|pool\d)(?:,(?:[-+.\deE]*\d[-+.\deE]*|"
                    r"(?:relu|conv)\d_\d|pool\d))*")


# What a refusal says of several values given to an option that takes one: `usage_message` adds which.
A_LIST = "is a list"


def is_a_list(text: str, known: Sequence[str], taken=None) -> bool:
    """Whether `text` is a comma-separated list of values `taken(value)` takes (by default `known`'s), or of names near
    one of `known` (`--optimizer Adam,lbfgs`, `--model vgg16-hed,vgg91`): `--optimizer lbfgs,adam` was told "is not
    one of lbfgs, adam (did you mean lbfgs?)", a guess at one, where it meant both. One near none (`lbfgs,sgd`) is no
    list: the choices are listed."""
    items, taken = text.split(","), taken or known.__contains__
    return len(items) > 1 and all(taken(item) or nearest_name(item, known) for item in items)


def unknown_item(text: str, known: Sequence[str], taken=None) -> str:
    """Which item of a comma-separated `text` none of `known` is (`taken(item)` false, by default), as a list option
    names its bad item: " (item 2 of 2, 'sgd', is none of them; give one value)" for `--optimizer lbfgs,sgd`, which was
    told "(did you mean lbfgs?)", a guess at the whole; "" for one value, or none unknown."""
    items, taken = [t.strip() for t in text.split(",")], taken or known.__contains__
    unknown = [(i, t) for i, t in enumerate(items) if not taken(t)]
    if len(items) < 2 or not unknown:
        return ""
    i, item = unknown[0]
    return f" (item {i + 1} of {len(items)}, {item!r}, is none of them; give one value)"


def one_value(flag: str, command: str) -> str:
    """What follows `A_LIST` in a refusal: that `flag` takes one value, and what to do instead."""
    if command == "sweep":
        return (f"; {flag} takes one value in a sweep, which compares values of {', '.join(SWEPT[:-1])} or "
                f"{SWEPT[-1]} (comma-separated): run a sweep for each")
    return f"; {flag} takes one value: run {command} once for each"


def typed_value(ctx, opts) -> str:
    """The value typed after the last of the option names `opts` on `ctx`'s command line (`--seed 1,2`, `--seed=1,2`),
    or "": click's error for a value it could not parse names the option, not the value."""
    words, value = typed(ctx), ""
    for i, word in enumerate(words):
        flag, eq, inline = word.partition("=")
        if flag in opts:
            value = inline if eq else (words[i + 1] if i + 1 < len(words) else "")
    return value


def spaced_list(ctx, inputs, lists=LISTS) -> None:
    """Refuse a list typed with spaces (`--style-weight 1 10 100`): its later items were taken for input files and
    were "10 does not exist; check the path", advice about a file never meant. Reads the command line (`typed`), the
    order of which click does not keep; a missing input that is no such stray is left to the file checks."""
    from typer import BadParameter

    named = {str(p) for p in inputs if p is not None and not os.path.exists(p)}
    takes = {o: p for p in ctx.command.params if getattr(p, "param_type_name", "") == "option" and not p.is_flag
             for o in p.opts}
    words = typed(ctx)
    for i, word in enumerate(words):
        flag, _, inline = word.partition("=")
        if flag not in takes:
            continue
        start = i + 1 if inline else i + 2
        value = inline or (words[i + 1] if i + 1 < len(words) else "")
        strays = []
        for later in words[start:]:
            if later not in named or not _ITEMS.fullmatch(later):
                break
            strays.append(later)
        if strays:
            taken = (f"{' '.join(strays)} after {flag} {value} "
                     f"{'were taken for files' if len(strays) > 1 else 'was taken for a file'}")
            if flag in lists:
                raise BadParameter(f"{taken}; a list's items are separated by commas, without spaces: "
                                   f"{flag} {','.join([value, *strays])}")
            raise BadParameter(f"{taken}; {flag} takes one value" + (
                " (`jaxart sweep` compares several, comma-separated)" if flag in SWEPT else ""))

