"""An option that takes one value given twice with different values (`-o a.png -o b.png`): click kept the last
without a word, so the run wrote b.png alone, or ran at `--style-weight 10` where 1 was typed too. Options that add
their repeats (sweep's swept ones, bench's --sizes, --loops and --conv) and flags (`--quiet --quiet`) are left be."""

from __future__ import annotations

import os

from jaxart_cli.paths import before_dashes
from jaxart_cli.values import SWEPT, one_value


def typed_values(ctx, args: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Each one-value option of the command's `args` (up to a `--`), by its name: the (name as typed, value) pairs
    given to it in order, `-o`, `--output` and `--output=` alike, and in a word of short options (`-qo a.png`)."""
    params = {o: p for p in ctx.command.params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts)}
    words, given, i = before_dashes(args), {}, 0
    while i < len(words):
        word, i = words[i], i + 1
        name, eq, inline = word.partition("=")
        if word.startswith("--"):
            letters = [(name, inline if eq else None)]
        elif word.startswith("-") and word != "-":  # `-qo`, `-oa.png`: click's short options and a value after them
            letters = [(f"-{c}", word[j + 1:] or None) for j, c in enumerate(word[1:], 1)]
        else:
            continue
        for flag, rest in letters:
            if (param := params.get(flag)) is None:
                break  # an unknown option: click refuses it
            if param.is_flag or param.count:
                continue
            if rest is None:
                if i == len(words):
                    break  # its value left out: click says so
                rest, i = words[i], i + 1
            if not param.multiple:
                given.setdefault(param.name, []).append((flag, rest))
            break
    return given


def same(first: str, second: str) -> bool:
    """Whether two values typed are one (`1` and `1.0`, `a.png` and `./a.png`): given twice, the run is the same."""
    if first == second or os.path.normpath(first) == os.path.normpath(second) != ".":
        return True
    try:
        return "_" not in first + second and float(first) == float(second)
    except ValueError:
        return False


def check_repeated(ctx, args: list[str]) -> None:
    """Refuse a one-value option given twice with different values, naming both, before click keeps the last.
    The same value twice is let be: it runs as typed once, and a script that appends an option it already has
    (a default restated) is no mistake."""
    from typer import BadParameter

    for name, pairs in typed_values(ctx, args).items():
        first = pairs[0]
        second = next((p for p in pairs[1:] if not same(first[1], p[1])), None)
        if second is None:
            continue
        flag = max(next(p for p in ctx.command.params if p.name == name).opts, key=len)
        values = (f"{first[1]} and {second[1]}" if first[0] == second[0] == flag
                  else f"{first[0]} {first[1]} and {second[0]} {second[1]}")
        if ctx.command.name == "sweep":  # its swept options add up: say which those are
            advice = one_value(flag, "sweep")
        else:
            advice = f"; {flag} takes one value: give it once" + (
                f" (`jaxart sweep` compares several: {flag} {first[1]},{second[1]})" if flag in SWEPT else "")
        raise BadParameter(f"{flag} was given twice, {values}{advice}", ctx=ctx)
