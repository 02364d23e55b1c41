"""Warnings for options a user gave that the run does not use (each would change nothing): one setting its optimizer,
start or loss terms ignore, a sweep option its sweep cannot use. The CLI prints them; the library leaves them to its
caller, as notes.py's."""

from __future__ import annotations

from collections.abc import Collection

from jaxart import color, devices
from jaxart.config import StyleConfig
from jaxart.errors import joined


def unused_notes(config: StyleConfig, given: Collection[str]) -> list[str]:
    """Warnings for the settings in `given` (the StyleConfig fields, among any other names, that a user set rather than
    left at their defaults) that `config` does not use: one its optimizer ignores (--learning-rate with L-BFGS,
    --lbfgs-memory with Adam), --seed without --init random (a `--seed 5` from the photo gave the very pixels of seed 0
    without a word), --match-luminance without --colors luminance, --style-layer-weights for one style layer (scaled
    to 1), --content-layers at --content-weight 0, the painting's own settings at --style-weight 0 (--style-scale 0.5
    gave the very pixels of 1; so did --colors match-pca, which recolours the painting, of --colors style: not
    --colors luminance or keep, which the photo's pixels take too)."""
    notes = []
    if config.optimizer != "adam" and "learning_rate" in given:
        notes.append(f"--learning-rate has no effect with --optimizer {config.optimizer}, which takes its step sizes "
                     "from its curvature estimates; it is the step size of --optimizer adam")
    elif config.optimizer == "adam" and "lbfgs_memory" in given:
        notes.append("--lbfgs-memory has no effect with --optimizer adam, which keeps no history of past steps; it "
                     "is how many steps --optimizer lbfgs remembers")
    if config.init != "random" and "seed" in given:
        start = "the photo" if config.init == "content" else config.init
        notes.append(f"--seed has no effect with --init {config.init}: the run starts from {start}, with nothing "
                     "random, so every seed gives the same picture; a seed sets the noise of --init random")
    if config.colors != "luminance" and "match_luminance" in given and config.match_luminance:
        notes.append(f"--match-luminance has no effect with --colors {config.colors}; it scales the painting's "
                     "luminance to the photo's for --colors luminance")
    if config.style_weight and "style_layer_weights" in given and len(config.style_layers) == 1:
        notes.append(f"--style-layer-weights has no effect with one style layer ({config.style_layers[0]}): the "
                     "weights are scaled to sum to 1, so its weight is 1 whatever is given; --style-weight sets how "
                     "much style")
    if not config.content_weight and "content_layers" in given:
        notes.append("--content-layers has no effect with --content-weight 0: the content term is off, so no layer of "
                     "the photo is matched; give --content-weight above 0 to keep its content")
    # The painting's own settings: --colors match-* recolours it and --match-luminance scales its luminance (--colors
    # luminance and keep work on the output's pixels too).
    styled = [f"--{n.replace('_', '-')}" for n in _STYLED if n in given]
    styled += [f"--colors {config.colors}"] * ("colors" in given and config.colors in color.MATCHES)
    styled += [f"--{'' if config.match_luminance else 'no-'}match-luminance"] * (
        "match_luminance" in given and config.colors == "luminance")
    if not config.style_weight and styled:
        notes.append(f"{joined(styled)} {'has' if len(styled) == 1 else 'have'} no effect with --style-weight 0: "
                     "the style term is off, so nothing of the painting is taken; give --style-weight above 0 for "
                     "its style")
    return notes


def sweep_notes(given: Collection[str], paintings: int, tiles: int) -> list[str]:
    """Warnings for the sweep options in `given` (as `unused_notes`' `given`) that a sweep of `tiles` settings with
    `paintings` paintings does not use: --each-painting with one, whose tiles are those without it (their captions
    alone add "painting NAME"); --shrink-batch where the batch cannot shrink (`SHRINKS`)."""
    notes = []
    if "each_painting" in given and paintings == 1:
        notes.append("--each-painting has no effect with one painting: every tile is painted with it, as without the "
                     "option; give two paintings or more to compare them side by side")
    if "shrink_batch" in given and tiles <= (SHRINKS - 1) * (n := devices.local_device_count()):
        notes.append(f"--shrink-batch has no effect on a sweep of {tiles} setting{'s' * (tiles != 1)} on {n} "
                     f"device{'s' * (n != 1)}: the running tiles go on alone only in a batch of at most half the rows "
                     f"and 2 or more a device, so it needs {(SHRINKS - 1) * n + 1} settings or more")
    return notes


# A batch shrinks only to half its rows or fewer, never below 2 a device (shrink.smaller_rows): so only where it has
# 4 rows a device, that is more than 3 settings a device (a sweep pads its batch to a multiple of its devices).
SHRINKS = 4


# The settings of the style term alone, which --style-weight 0 turns off.
_STYLED = ("style_layers", "style_layer_weights", "style_blend", "style_scale")
