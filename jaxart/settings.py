"""The settings of a sweep: each a point of loss weights, a seed, the painting's scale, which painting
and how its style layers weigh (`Setting`), and every combination of lists of them (`grid`), checked
for what would make a useless or unreadable sweep; how many there are, in words (`described`)."""

from __future__ import annotations

import itertools
import math
import numbers
import reprlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from jaxart.config import StyleConfig
from jaxart.errors import InputError

MAX_SETTINGS = 10_000  # a sheet of more is unreadable, and the batch would not fit in memory anyway


class Setting(NamedTuple):
    """One point of a sweep: the three loss weights, the seed of a random start, the painting's
    size relative to the output (`StyleConfig.style_scale`; None: the config's, as before it was swept),
    which of the sweep's paintings alone it paints with (an index; None: all of them, blended), and
    the weight of each of the config's style layers (`StyleConfig.style_layer_weights`, 0 turns one
    off; None: the config's)."""

    style_weight: float
    content_weight: float
    tv_weight: float
    seed: int = 0
    style_scale: float | None = None
    painting: int | None = None
    style_layer_weights: tuple[float, ...] | None = None

    def apply(self, config: StyleConfig) -> StyleConfig:
        """`config` with this setting's weights, seed, style scale and layer weights (where it has them);
        the painting is an input, not a config field (its run has that painting alone, so no blend)."""
        return config.replace(**{k: v for k, v in self._asdict().items() if v is not None and k != "painting"})


def gram_sets(settings: Sequence[Setting], config: StyleConfig) -> tuple[list[tuple[int | None, float]], list[int]]:
    """The style targets the settings need, each (painting, style scale) once in order of first use, and
    each setting's index into them: Grams have the same (C, C) shapes whatever the painting or its
    size, so one compiled program takes a set per setting."""
    keys = [(s.painting, s.apply(config).style_scale) for s in settings]
    sets = list(dict.fromkeys(keys))
    return sets, [sets.index(k) for k in keys]


def layer_weight_sets(settings: Sequence[Setting], config: StyleConfig) -> np.ndarray | None:
    """(N, L) float32: each setting's weight of each of the config's L style layers, scaled to sum to 1
    as a run's are (`StyleConfig.layer_weights`), where the settings weigh the layers differently: one
    compiled loss takes them as a traced value per setting. None where all weigh them alike (the config's)."""
    sets = [tuple(s.apply(config).layer_weights().values()) for s in settings]
    return np.asarray(sets, np.float32) if len(set(sets)) > 1 else None


def check_paintings(config: StyleConfig, settings: Sequence[Setting], paintings: int | None = None) -> None:
    """Refuse settings that paint with one painting each where the config combines them all: a blend
    weighs them into one style, a region mask gives each its region; or an index with no painting."""
    chosen = sorted({s.painting for s in settings if s.painting is not None})
    if not chosen:
        return
    if config.style_blend is not None:
        raise InputError("style_blend weighs the paintings into one style, and each painting its own tiles (grid's "
                         "paintings) leaves none to blend; give one or the other",
                         settings=["style_blend", "grid's paintings"])
    if config.mask is not None:
        raise InputError("mask and region_colors paint each region with its own painting, and each painting its own "
                         "tiles (grid's paintings) paints the whole photo; give one or the other",
                         settings=["mask", "region_colors", "grid's paintings"])
    bad = [i for i in chosen if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < (paintings or 1e30)]
    if bad:
        raise InputError(f"painting {bad[0]!r} is not one of the {paintings or ''} paintings given; a setting's "
                         "painting is its index in the list of paintings, from 0")


STYLE_ONLY = ("style_scale", "painting", "style_layer_weights")  # what a run at style weight 0 paints the same with


def same_run(settings: Sequence[Setting], config: StyleConfig) -> tuple[Setting, Setting] | None:
    """The first two of `settings` that make the same run of `config` (two identical images), else None:
    0 and -0 or 1 and 1.0 are one value, and a style scale of None is the config's, so
    Setting(10, 1, 10) and Setting(10, 1, 10, 0, 1.0) are one run under the default style scale 1;
    style layer weights of 1,1 and 2,2 are one run too (a run scales them to sum to 1). At style weight 0
    the style term is off, so settings apart only in `STYLE_ONLY` (`style_apart`) are one run."""
    seen: dict[Setting, Setting] = {}
    for s in settings:
        style = _style(s, config)
        run = s._replace(**(style if s.style_weight else dict.fromkeys(style)))
        if run in seen:
            return seen[run], s
        seen[run] = s
    return None


def style_apart(a: Setting, b: Setting, config: StyleConfig) -> list[str]:
    """Which of `STYLE_ONLY` tell the runs of settings `a` and `b` apart (of `same_run`'s pair: none
    where they are one run at any style weight)."""
    x, y = _style(a, config), _style(b, config)
    return [k for k in STYLE_ONLY if x[k] != y[k]]


def _style(s: Setting, config: StyleConfig) -> dict:
    """`s`'s `STYLE_ONLY` fields as its run takes them: the config's style scale where None, the layer
    weights scaled to sum to 1."""
    applied = s.apply(config)
    return {"style_scale": applied.style_scale, "painting": s.painting,
            "style_layer_weights": tuple(applied.layer_weights().values())}


def described(settings: Sequence[Setting]) -> str:
    """What a sweep's summary and dry run say its tiles are: "4 settings", or with a painting each "2 settings for
    each of 3 paintings", not "6 settings" for a sweep of two weights (its paintings are no setting a user gave)."""
    paintings = len({s.painting for s in settings})
    each = len(settings) // paintings
    return f"{each} setting{'s' * (each != 1)}" + (f" for each of {paintings} paintings" if paintings > 1 else "")


def as_settings(settings) -> tuple[Setting, ...]:
    """`settings` as Settings (tuples are taken as their fields). Plain weights ([10, 100]), `grid`
    itself or None failed inside with Setting's own TypeError, which named no fix."""
    try:
        settings = tuple(s if isinstance(s, Setting) else Setting(*s) for s in settings)
    except TypeError:
        raise TypeError(f"settings must be a list of jaxart.sweep.Setting (style, content and tv weights, seed, style "
                        f"scale, painting, style layer weights), such as jaxart.sweep.grid([1, 10, 100]); got "
                        f"{reprlib.repr(settings)}") from None
    # Layer weights as a tuple, however given: a list (a record's JSON) is unhashable, which the checks need.
    return tuple(s._replace(style_layer_weights=_item("style_layer_weights", s.style_layer_weights)) for s in settings)


def grid(
    style_weights: Iterable[float] = (10.0,),
    content_weights: Iterable[float] = (1.0,),
    tv_weights: Iterable[float] = (10.0,),
    seeds: Iterable[int] = (0,),
    style_scales: Iterable[float] | None = None,
    paintings: Iterable[int] | None = None,
    style_layer_weights: Iterable[Sequence[float]] | None = None,
) -> list[Setting]:
    """Every combination of the given values, style weight varying slowest and style layer weights
    fastest, then painting (so a sheet's rows compare the layer weights, else the paintings, side by
    side); at most MAX_SETTINGS. Without `style_scales` every setting keeps the config's (style_scale
    None); without `paintings` every setting blends all the paintings (painting None), with them each
    paints with that one (indices, from 0) alone; without `style_layer_weights` every setting keeps
    the config's, with them (each one weight per style layer: [[1, 1, 1, 1, 1], [1, 0, 0, 0, 0]])
    each weighs the layers so.

    Raises:
      InputError: a value is not a list (or other iterable) of numbers, a seed not a whole number,
        or the grid has more than MAX_SETTINGS settings.
    """
    given = (style_weights, content_weights, tv_weights, seeds, (None,) if style_scales is None else style_scales,
             (None,) if paintings is None else paintings,
             (None,) if style_layer_weights is None else style_layer_weights)
    values = [_listed(name, v) for name, v in zip(_GRID_NAMES, given)]
    n = math.prod(map(len, values))  # before any list is built: range(10**9) is counted, not listed
    if n > MAX_SETTINGS:  # checking each of millions took minutes before the memory check refused them
        raise InputError(f"a sweep of {n:,} settings is more than {MAX_SETTINGS:,}; give fewer values, or split it")
    items = ([_item(name, v) for v in vs] for name, vs in zip(_GRID_NAMES, values))
    return [Setting(*p) for p in itertools.product(*items)]


_GRID_NAMES = ("style_weights", "content_weights", "tv_weights", "seeds", "style_scales", "paintings",
               "style_layer_weights")


def _listed(name: str, values) -> Sequence:
    """`values` as something `len` counts: a list, a range or an array as it is, an iterator listed.
    One number alone (grid(10)) or a string raised a TypeError or was taken digit by digit."""
    try:
        listed = not isinstance(values, (str, bytes)) and iter(values) is not None
    except TypeError:
        listed = False
    if not listed:
        kind, example = {"seeds": ("whole numbers", "[0, 1]"), "style_scales": ("numbers", "[0.5, 1, 2]"),
                         "paintings": ("indices", "[0, 1]"),
                         "style_layer_weights": ("lists of numbers", "[[1, 1, 1, 1, 1], [0, 0, 0, 0, 1]]")}.get(
            name, ("numbers", "[1, 10, 100]"))
        raise InputError(f"{name} must be a list of {kind}, e.g. {name}={example}; got {values!r}")
    return values if hasattr(values, "__len__") else list(values)


def _item(name: str, v) -> float | int:
    """A weight or scale as a float, a seed or painting as an int, layer weights as a tuple of floats;
    a seed of 1.7 became seed 1."""
    if name == "style_layer_weights" and v is not None:
        return tuple(_item("style layer weights", w) for w in _listed("style_layer_weights", v))
    # The grid's default: the config's, or all paintings.
    if name in ("style_scales", "paintings", "style_layer_weights") and v is None:
        return None
    if not isinstance(v, numbers.Number) and getattr(v, "shape", None) == () and hasattr(v, "item"):
        v = v.item()  # an element of jnp.logspace(...) is a 0-d jax.Array, which is no numbers.Real
    real = isinstance(v, numbers.Real) and not isinstance(v, bool)
    whole = name in ("seeds", "paintings")
    if not whole and real:
        return float(v)
    if whole and real and (isinstance(v, numbers.Integral) or math.isfinite(v) and float(v).is_integer()):
        return int(v)
    raise InputError(f"{name} must be {'whole numbers' if whole else 'numbers'}, got {v!r}")
