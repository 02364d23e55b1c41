"""A sweep's checks before any work, none of which imports JAX (a dry run makes them): its grid of settings, each
refusal naming the setting at fault, its alternatives of style layer weights, the paintings compared given once, and
the memory its batch needs per device.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path

from jaxart import devices, photo_size
from jaxart.byte_sizes import amount
from jaxart.captions import painting_name
from jaxart.config import StyleConfig
from jaxart.errors import InputError, as_typed, listed
from jaxart.settings import Setting, check_paintings, same_run, style_apart


def check(config: StyleConfig, settings: Sequence[Setting], arch: str | None = None,
          paintings: int | None = None, names: Sequence[str] = ()) -> None:
    """Raise a ValueError naming the first bad setting, before any work; `paintings`, their count where known;
    `names`, the command line's paintings as its tiles label them (`captions.file_names`), to name a
    setting's painting by (the option that gave it, --each-painting, too): else it is named by its index."""
    if not settings:
        raise InputError("the sweep grid is empty; give at least one value for each weight")
    # Every setting's three weights replace the config's, which are checked in each setting below: all-zero style
    # layer weights are refused only where a setting's style weight is above 0 (at 0 its term is off, as asked).
    config.replace(style_weight=0.0, content_weight=1.0, tv_weight=0.0).validate(arch, paintings)
    check_paintings(config, settings, paintings)
    seeded = {s.seed for s in settings} != {Setting._field_defaults["seed"]}  # else a seed the user never typed
    for s in settings:
        try:
            s.apply(config).validate()
        except ValueError as e:  # which of the grid's settings: the others are fine
            named = getattr(e, "settings", ())
            label = at_fault(s, settings, named, str(e))
            raise InputError(f"the setting {label}: {e}" if label else str(e), settings=named) from None
    if len(seeds := sorted({s.seed for s in settings})) > 1 and config.init != "random":
        raise InputError(f"seeds {listed(seeds)} would give identical images: a seed only sets a random start, and "
                         f"init is {config.init!r}; use init='random', or give one seed", settings=["seeds", "init"])
    if (pair := same_run(settings, config)) is not None:
        if apart := style_apart(*pair, config):
            raise _style_off(config, settings, pair, apart, names)
        first, twice = (words(s, seeded) for s in pair)  # 0 and -0 are one value written two ways: "tv -0"
        said = (f"the setting {twice} is listed twice" if first == twice
                else f"the setting {twice} is the same as the setting {first}")
        raise InputError(f"{said}, which would give two identical images; list each setting once")


def check_layer_weights(alternatives: Sequence[Sequence[float]], layers: Sequence[str],
                        style_weights: Sequence[float] = (1.0,), names: Sequence[str] | None = None,
                        separator: str | None = None) -> None:
    """Refuse alternatives of style layer weights (each one weight per style layer, each its own tiles) that make a
    useless sweep, before any work: a wrong count or all zeros, named by its place and as `names` has it (default
    its weights, `1,0,0`; a front end's text as typed), and one that weighs the layers as another does (2,2 as 1,1:
    a run scales them to sum to 1), a second identical tile. Where every `style_weights` is 0 the style term is off
    and the layer weights change nothing: several alternatives are identical tiles. One alone is left to
    `StyleConfig.validate`, as a run's. `separator`: what a front end writes between alternatives, for its advice."""
    n, names = len(alternatives), [listed(ws) for ws in alternatives] if names is None else list(names)
    if n < 2:
        return
    if not any(style_weights):
        raise InputError(f"at style-weight 0 the style layer weights change nothing, so the {n} alternatives would "
                         "give identical tiles; give one, or a style-weight above 0", settings=["style_weight"])
    for i, (name, ws) in enumerate(zip(names, alternatives)):
        if len(ws) != len(layers):
            between = f", and {separator!r} between alternatives" if separator else ""
            raise InputError(
                f"alternative {i + 1} of {n}, {name!r}, gives {len(ws)} weight{'s' * (len(ws) != 1)} for "
                f"{len(layers)} style layer{'s' * (len(layers) != 1)} ({', '.join(layers)}); give one weight per "
                f"style layer, in that order{between}")
        if not any(ws):  # "the setting style 10, ...: are all 0" named no alternative
            raise InputError(
                f"alternative {i + 1} of {n}, {name!r}, weighs every style layer 0, which leaves no style; give at "
                "least one style layer a weight above 0 in each alternative (or style-weight 0 for no style)",
                settings=["style_weight"])
    seen: dict[tuple[float, ...], str] = {}  # each alternative as a run weighs the layers: scaled to sum to 1
    for name, ws in zip(names, alternatives):
        scaled = tuple(w / (sum(ws) or 1) for w in ws)
        if scaled in seen:
            said = (f"{name!r} is listed twice" if seen[scaled] == name
                    else f"{name!r} weighs the layers as {seen[scaled]!r} does (a run scales them to sum to 1)")
            raise InputError(f"{said}; each alternative makes its own tiles, so list each once")
        seen[scaled] = name


def _style_off(config: StyleConfig, settings: Sequence[Setting], pair: tuple[Setting, Setting],
               apart: list[str], names: Sequence[str] = ()) -> InputError:
    """The refusal of two settings at style weight 0 that only the style term would tell apart (`apart`, of
    `settings.STYLE_ONLY`): at 0 it is off, so their tiles are identical. Where other settings have a style
    weight above 0 the grid sweeps those values there, and weight 0 wants a run of its own. A painting by
    its name in `names` ("painting starry"), as a tile's label has it, not "painting 0", which no one typed."""
    nouns = {"style_scale": "style scale", "painting": "painting", "style_layer_weights": "set of style layer weights"}
    each = " of each tile (--each-painting)" if names else ""  # the command line's option that gave the paintings
    what = " and the ".join(nouns[k].removeprefix("set of ") + each * (k == "painting") for k in apart)

    def label(s: Setting) -> str:
        parts = [words(s._replace(style_scale=s.apply(config).style_scale),  # None: the config's
                       fields=["style_weight", *apart])]
        if "painting" in apart:
            parts.append("all paintings" if s.painting is None else f"painting {painting_name(s.painting, names)}")
        return ", ".join(p for p in parts if p)

    named = [label(s) for s in pair]
    one = " and one ".join(nouns[k] for k in apart)
    advice = (f"leave style weight 0 out of this sweep and run it apart, with one {one}"
              if any(s.style_weight for s in settings) else f"give one {one}, or a style weight above 0")
    verb = "changes" if apart in (["style_scale"], ["painting"]) else "change"
    return InputError(f"at style weight 0 the style term is off and the {what} {verb} "
                      f"nothing, so the settings {named[0]} and {named[1]} would give identical images; {advice}",
                      # Every flag it may name: the text holds the words of `apart`'s alone (a painting is no flag)
                      settings=["style_weight", "style_scale", "style_layer_weights"])


def words(s: Setting, seed: bool = True, fields: Collection[str] | None = None) -> str:
    """`s` as a refusal names it: "style 10, content 1, tv 10, seed 0", each value as typed (`errors.as_typed`);
    its seed only where `seed`; only its `fields` where given."""
    values = {"style_weight": ("style", s.style_weight), "content_weight": ("content", s.content_weight),
              "tv_weight": ("tv", s.tv_weight), "seed": ("seed", s.seed if seed else None),
              "style_scale": ("style scale", s.style_scale),
              "style_layer_weights": ("style layer weights", s.style_layer_weights)}
    return ", ".join(f"{label} {_typed(v)}" for field, (label, v) in values.items()
                     if v is not None and (fields is None or field in fields))


def at_fault(s: Setting, settings: Sequence[Setting], named: Sequence[str] = (), said: str = "") -> str:
    """What tells the refused setting `s` from the rest of `settings` (`words`): of the fields the refusal
    names (`named`; all where it names none) those the grid varies, but a value it `said` itself ("style-weight
    must be ..., got 1e31"; "content-weight, style-weight and tv-weight are all 0"). "" where nothing is left:
    "the setting style 1e31, content 1, tv 10: --style-weight ..., got 1e31" said the value twice, and named
    the content and tv weights that every setting shares and the refusal is not about."""
    said_words = {w.strip(",;:()'") for w in said.split()}
    varying = [k for k in Setting._fields if len({getattr(t, k) for t in settings}) > 1]
    return words(s, fields=[k for k in varying if (k in named or not named) and not _says(said_words, getattr(s, k))])


def _typed(v) -> str:
    return listed(v) if isinstance(v, tuple) else as_typed(v)


def _says(said_words: set[str], v) -> bool:
    """Whether a refusal's words give the value `v`: as typed ("got 1,nan,0,0,0"), or weights that are one
    value by that value ("are all 0")."""
    return _typed(v) in said_words or (isinstance(v, tuple) and len(set(v)) == 1 and as_typed(v[0]) in said_words)


def check_distinct(paintings: Sequence[str | os.PathLike]) -> dict[str, str]:
    """Refuse a painting file given twice to a sweep that paints each alone (--each-painting): its tiles
    would be identical. Under another name (a symlink, a copy) it is found by its contents, as the record's
    sha256 would name it; a copy passed before as two paintings, two columns of identical tiles.
    Returns the sha256 of each painting file by absolute path, for the record (`run_record.input_digests`):
    each file is read once."""
    from jaxart import checkpoint

    seen, taken = {}, {}  # path by digest; digest by absolute path, as the record keys them
    for path in map(str, paintings):
        if not os.path.isfile(path):  # the loader says what is wrong with it
            continue
        absolute, digest = str(Path(path).resolve()), checkpoint.digest(path)  # as `checkpoint.digests` keys it
        if digest in seen:
            first = seen[digest]
            said = (f"{path} is given twice" if first == path
                    else f"{path} is the same painting as {first} (the same contents)")
            raise InputError(f"{said}, which would give identical tiles; with --each-painting each painting makes its "
                             "own tiles, so give each once")
        seen[digest], taken[absolute] = path, digest
    return taken


def check_memory(config: StyleConfig, settings: int, arch: str = "vgg19", available: int | None = None,
                 photo: tuple[int, int] | None = None, paintings: Sequence[tuple[int, int]] = (),
                 flag: str = "size", count_flag: str | None = None, mask: tuple[int, int] | None = None,
                 own_grams: bool = False, held: int = 0, content: Path | None = None) -> int:
    """Raise an InputError if the photo is too small for the first scale (`photo_size.check_photo`), or
    `settings` images at once will not fit in a device's memory at the largest scale, `config.size`;
    else return the estimated peak bytes per device. `photo` and `paintings` are the (height, width)
    of the files as read, and `mask` the mask's (`memory.check`); the photo is a square of `config.size` if not known.
    `flag` is the setting the advice names for the size (`memory.check`'s); `count_flag`, if given, the option for
    the count; `own_grams`, whether each setting holds its own style targets (several paintings or style scales).
    An `--init` image file that will not decode in the memory free is refused too, as is a transparent photo file
    `content`, decoded again for its alpha (`memory.check_init`)."""
    from jaxart import footprint, memory

    per_device = -(-settings // devices.local_device_count())
    photo = photo or (config.size, config.size)
    photo_size.check_photo(config, photo, flag)
    need = lambda n, c=config: (footprint.files_bytes(c, arch, photo, paintings, images=n, mask=mask)  # noqa: E731
                                + own_grams * n * footprint.grams_bytes(c))
    free = memory.available_bytes() if available is None else available
    own = memory.taken_off(held)
    ok = lambda n, c=config: memory.fits(need(n, c), free, own)  # noqa: E731
    if not ok(per_device):
        fits = memory.largest(ok, 0, per_device)
        most = devices.local_device_count() * fits
        size = memory.size_hint(config, photo, lambda c: ok(per_device, c), flag)
        # The paintings' targets set the peak, whatever the count: a smaller style_scale is the fix, as stylize's.
        scale = not fits and paintings and memory.scale_hint(config, lambda c: ok(per_device, c))
        advice = (f"use {scale}" if scale else f"even one setting does not fit; use {size}" if not fits
                  else f"use {count_flag} {most} or less, or {size}" if count_flag
                  else f"sweep at most {most} setting{'s' * (most > 1)} at a time, or use {size}")
        at = memory.painting_at(config, paintings) if scale else ""
        sweep = f"a sweep of {settings:,} setting{'s' * (settings != 1)} at {config.size} px{at}"
        raise memory.too_large(f"{sweep} needs about {amount(need(per_device))}{memory.holding(own)} but only "
                               f"{amount(free)} is free; {advice}")
    memory.check_init(config, photo, paintings, free, held, content)  # decoded after this, as stylize's
    return need(per_device)
