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
    """--style-layer-weights' alternatives, `;` between them or the option repeated, each one weight per
    style layer. Of several, an empty one, a wrong count or all zeros is named by its place, before any work (one
    alone is checked as stylize checks it), and so is one that weighs the layers as another does (2,2
    as 1,1: a run scales them to sum to 1), which would be a second identical tile. Where every `style_weights`
    is 0 the style term is off and the layer weights change nothing: several alternatives are identical tiles."""
    flag, texts = "--style-layer-weights", [t for text in texts or () for t in text.split(";")]
    if len(texts) > 1 and not all(t.strip() for t in texts):
        where = [t.strip() for t in texts].index("") + 1
        raise typer.BadParameter(f"alternative {where} of {len(texts)} is empty; give one weight per style layer, "
                                 "comma-separated, and ';' only between alternatives", param_hint=flag)
    alternatives = tuple(csv(t, flag, float) for t in texts)
    if len(texts) > 1 and not any(style_weights):
        raise typer.BadParameter(f"at --style-weight 0 the style layer weights change nothing, so the {len(texts)} "
                                 "alternatives would give identical tiles; give one, or a --style-weight above 0",
                                 param_hint=flag)
    for i, (t, ws) in enumerate(zip(texts, alternatives)):
        if len(ws) != len(layers) and len(texts) > 1:
            raise typer.BadParameter(
                f"alternative {i + 1} of {len(texts)}, {t.strip()!r}, gives {len(ws)} weight{'s' * (len(ws) != 1)} "
                f"for {len(layers)} style layer{'s' * (len(layers) != 1)} ({', '.join(layers)}); give one weight per "
                "style layer, in that order, and ';' between alternatives", param_hint=flag)
        if len(texts) > 1 and not any(ws):  # "the setting style 10, ...: are all 0" named no alternative
            raise typer.BadParameter(
                f"alternative {i + 1} of {len(texts)}, {t.strip()!r}, weighs every style layer 0, which leaves no "
                "style; give at least one style layer a weight above 0 in each alternative (or --style-weight 0 "
                "for no style)", param_hint=flag)
    seen: dict[tuple[float, ...], str] = {}  # each alternative as a run weighs the layers: scaled to sum to 1
    for t, ws in zip(texts, alternatives):
        scaled = tuple(w / (sum(ws) or 1) for w in ws)
        if scaled in seen:
            said = (f"{t.strip()!r} is listed twice" if seen[scaled] == t.strip()
                    else f"{t.strip()!r} weighs the layers as {seen[scaled]!r} does (a run scales them to sum to 1)")
            raise typer.BadParameter(f"{said}; each alternative makes its own tiles, so list each once",
                                     param_hint=flag)
        seen[scaled] = t.strip()
    return alternatives
