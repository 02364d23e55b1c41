"""`jaxart sweep`'s swept values: each option's list, read from commas or the option repeated, and checked."""

from __future__ import annotations

import typer

from jaxart_cli.values import csv
from jaxart.duplicates import repeated


def swept(help: str, default) -> typer.models.OptionInfo:
    """A swept option: comma-separated values, or the option repeated (`--seed 0 --seed 1` is `--seed 0,1`)."""
    return typer.Option(help=f"{help}; repeated, its values add up [default: {default:g}].", metavar="<str>",
                        show_default=False)


def listed(texts: list[str] | None, flag: str, default, cast) -> tuple:
    """A swept option's values, from each time it is given; `default` if never. Only the last of
    `--style-weight 1 --style-weight 10` was kept: silently one tile, not the two meant."""
    return tuple(v for text in texts or [f"{default:g}"] for v in csv(text, flag, cast))


def once(flag: str, values: tuple, texts: list[str] | None) -> None:
    """Refuse a value given twice, as typed: two identical tiles, not a wider sweep. 1 and 1.0, or 0 and
    -0, are one value written two ways: "1 is listed twice" read as if the 1.0 typed beside it was not seen."""
    if (twice := repeated(values)) is not None:
        typed = [t.strip() for text in texts or () for t in text.split(",")]  # as `listed` read them, in order
        first, second = [t for t, v in zip(typed, values) if v == twice][:2]
        said = f"{first} is listed twice" if first == second else f"{first} and {second} are the same value"
        raise typer.BadParameter(f"{said}; each value makes its own tiles, so list each once", param_hint=flag)


def layer_weights(texts: list[str] | None, layers: tuple[str, ...],
                  style_weights: tuple[float, ...] = (1.0,)) -> tuple[tuple[float, ...], ...]:
    """--style-layer-weights' alternatives, `;` between them or the option repeated, each one weight per style layer.
    Of several, an empty one is named by its place; the rest are checked by `sweep_checks.check_layer_weights`, in
    the flag's words (one alone is checked as stylize checks it)."""
    from jaxart.errors import InputError
    from jaxart.sweep_checks import check_layer_weights
    from jaxart_cli.options import FLAGS

    flag, texts = "--style-layer-weights", [t for text in texts or () for t in text.split(";")]
    if len(texts) > 1 and not all(t.strip() for t in texts):
        where = [t.strip() for t in texts].index("") + 1
        raise typer.BadParameter(f"alternative {where} of {len(texts)} is empty; give one weight per style layer, "
                                 "comma-separated, and ';' only between alternatives", param_hint=flag)
    alternatives = tuple(csv(t, flag, float) for t in texts)
    try:
        check_layer_weights(alternatives, layers, style_weights, names=[t.strip() for t in texts], separator=";")
    except InputError as e:
        raise typer.BadParameter(e.naming(FLAGS), param_hint=flag) from None
    return alternatives
