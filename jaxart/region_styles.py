"""Spatial control's settings: `--region-style COLOUR=PAINTING` (or COLOUR=photo, kept as photographed),
and a StyleConfig's `mask`, `region_colors` and `keep_colors` checked as a whole."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence

from jaxart import paths
from jaxart.errors import InputError
from jaxart.palette import parse_colors

# A comma that starts another COLOUR=PAINTING: a name, #rrggbb or rgb(r,g,b) before its "=".
_SEVERAL = re.compile(r",\s*(?=(?:rgb\([^)]*\)|[^,=()]+)=)")
KEEP = "photo"  # --region-style COLOUR=photo: the word in any case, never a file so named (that is ./photo)


def check_config(config) -> None:
    """Raise a ValueError naming a bad `mask` / `region_colors` pairing of a StyleConfig."""
    if config.mask is None:
        if config.region_colors is not None or config.keep_colors is not None:
            raise InputError("region styles need mask, the image whose colours mark the regions", settings=["mask"])
        return
    paths.file_setting("mask", config.mask, "the path of an image file", "for masks as an array, give them to "
                       "jaxart.make_targets as masks")
    if not config.region_colors:
        raise InputError("every region keeps the photo (keep_colors), so nothing would be painted; give "
                         "region_colors a colour and its painting" if config.keep_colors else "mask needs "
                         "region_colors, a colour for each of its regions, and their paintings",
                         settings=["mask", "keep_colors", "region_colors"])
    if config.style_blend is not None:
        raise InputError("style blend mixes styles over the whole image; with mask each region has one style",
                         settings=["style_blend", "mask"])
    try:
        parse_colors(colors_of(config))
    except ValueError as e:  # "mask colour 'x' is not ...": name the setting that holds it, as the CLI does its flag
        named = any(repr(n) in str(e) for n in config.region_colors)
        field = "region" if named or not config.keep_colors else "keep"
        raise InputError(f"{field} colors: {e}", settings=["keep_colors", "region_colors"]) from None


def colors_of(config) -> tuple[str, ...]:
    """Every region colour of `config`'s mask, in the order of `mask_regions.scaled_masks`' regions: painted,
    then kept."""
    kept = getattr(config, "keep_colors", None) or ()  # tests' namespaces have none
    return (*(config.region_colors or ()), *kept)


def parse_region_styles(texts: Sequence[str]) -> tuple[tuple[str, ...], list[str], tuple[str, ...]]:
    """Split "COLOUR=PAINTING" options: painted colours, their paintings, kept colours (COLOUR=photo);
    a ValueError."""
    pairs = [t.split("=", 1) for t in texts]
    for t, pair in zip(texts, pairs):
        if len(pair) != 2 or not pair[0].strip() or not pair[1].strip():
            raise ValueError(f"--region-style {t!r} is not COLOUR=PAINTING, e.g. red=starry.jpg, "
                             f"'#0000ff'=scream.jpg, or blue={KEEP} to keep the photo there")
    pairs = [(c.strip(), p.strip()) for c, p in pairs]
    for t, (_, p) in zip(texts, pairs):  # `red=a.jpg,blue=b.jpg`: "a.jpg,blue=b.jpg does not exist" named no slip
        if re.search(r",\s*[^,=]+=", p) and not os.path.exists(p):
            each = " ".join(f"--region-style {shlex.quote(one.strip())}" for one in _SEVERAL.split(t))
            raise ValueError(f"--region-style {t!r} gives several regions in one; give --region-style once per "
                             f"colour: {each}")
    painted = [(c, p) for c, p in pairs if p.lower() != KEEP]
    return tuple(c for c, _ in painted), [p for _, p in painted], tuple(c for c, p in pairs if p.lower() == KEEP)
