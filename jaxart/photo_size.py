"""Whether a photo is large enough for the deepest layer the loss reads at a run's first (smallest)
scale, and the options that would make it so, or set another size, as advice."""

from __future__ import annotations

from collections.abc import Sequence

from jaxart.config import SMALLEST, StyleConfig
from jaxart.errors import InputError
from jaxart.image import fit
from jaxart.scales import sizes

LARGE = 8192  # long sides beyond which size advice is no help: the image would not fit in memory


def deepest(config: StyleConfig) -> tuple[str, int]:
    """The deepest layer the loss reads and the short side it needs: after k poolings a side
    shorter than 2**k px is empty, and the loss NaN."""
    pools = lambda n: int(n[4]) - (not n.startswith("pool"))  # noqa: E731
    layer = max(config.content_layers + config.style_layers, key=pools)
    return layer, 2 ** pools(layer)


def least_size(photo: Sequence[int], short: int) -> int:
    """The smallest long side at which a photo of (height, width) `photo` is `short` px or more on
    its short side, as `image.resized` sizes it."""
    n = max(1, int((short - 0.5) * max(photo[:2]) / min(photo[:2])) - 1)
    while min(fit(photo, n)) < short:
        n += 1
    return n


def check_photo(config: StyleConfig, photo: Sequence[int], flag: str = "size") -> None:
    """Refuse a photo of (height, width) `photo` that the first (smallest) scale would make too small
    for the deepest layer, naming the setting that sets that scale (`flag` for the size: a command's own option,
    such as bench's --sizes) and the least value that works; later scales are larger, so they pass if it does.
    The settings are StyleConfig's words ("use size=22 or more"), which the command line names as its flags."""
    layer, need = deepest(config)
    first = sizes(config)[0]
    h, w = fit(photo, first)
    if min(h, w) >= need:
        return
    least = max(SMALLEST, least_size(photo, need))
    if config.scales:
        at, fix = f"scales {first}", f"give scales values of {least} or more"
    elif first < config.size:  # the first of start_size's doublings
        at = f"start_size {first}"
        fix = f"use start_size{'' if least <= config.size else f' and {flag}'}{_as_set(flag)}{least} or more"
    else:
        at, fix = f"{flag} {first}", f"use {flag}{_as_set(flag)}{least} or more"
    if least > LARGE:  # a strip of a photo: no size that would fit it in memory helps
        fix = f"crop the photo nearer to square (it is {photo[1]}x{photo[0]} px; {fix})"
    raise InputError(f"at {at} the photo is {w}x{h} px, too small for layer {layer}, which needs at least {need} px "
                     f"on the short side; {fix}, or shallower layers", settings=["size", "start_size", "scales"])


def size_options(config: StyleConfig, side: int, flag: str = "size") -> str:
    """The settings that make `config`'s last scale `side` px, as advice in StyleConfig's words, each a value a
    caller passes as written ("size=600 start_size=600", "scales=(64, 600) size=600 scale_steps=(1, 3)"), which the
    command line names as its flags ("--scales 64,600 --size 600 --steps 1,3"): the last of scales (dropping any scale
    not below it) and the size, or `flag` (a command's own option, such as bench's --sizes), with start_size and
    scale_steps where they must change too (one count per scale left: the last scale keeps its own)."""
    if config.scales:
        new = config.replace(size=side, scales=(*[s for s in config.scales[:-1] if s < side], side))
        options = f"scales={new.scales} {flag}{_as_set(flag)}{side}"  # a size given must match: Python's always is
    else:
        new = config.replace(size=side, start_size=config.start_size and min(config.start_size, side))
        start = f" start_size={side}" if new.start_size != config.start_size else ""
        options = f"{flag}{_as_set(flag)}{side}{start}"
    count = len(sizes(new))
    if config.scale_steps and count != len(config.scale_steps):
        return options + f" scale_steps={config.scale_steps[:count - 1] + config.scale_steps[-1:]}"
    if config.scales:
        return options + " or a smaller last scale (and size to match)"
    return options + (" or smaller" if not (config.start_size or config.scale_steps) else "")


def below_smallest(config: StyleConfig) -> bool:
    """Whether `config`'s size, start size or first scale is below 16 px, and the rest is readable."""
    size, start, given = config.size, config.start_size, list(config.scales or ())
    sides = (size, start or size, *given)
    try:  # else `validate` names what is wrong: sides that are no whole numbers, unordered scales, bad layer names
        deepest(config)
    except (ValueError, TypeError, IndexError):
        return False
    whole = all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in sides)
    ordered = not given or (start is None and given[-1] == size and given == sorted(set(given)))
    return whole and ordered and min(sides) < SMALLEST


def check_small(config: StyleConfig, photo: Sequence[int], flag: str = "size") -> None:
    """Refuse a size, start size or scale below 16 px with the least value that works for a photo of
    (height, width) `photo`: `config.validate`, which knows no photo, can only say 16, which a 4:3
    photo fails too at relu5_1 (it needs 21). Where the photo is known, call it before `validate`."""
    if not below_smallest(config):
        return
    check_photo(config, photo, flag)  # too small for the deepest layer: the least is the photo's
    option, value = (("scales", config.scales[0]) if config.scales else ("start_size", config.start_size)
                     if sizes(config)[0] < config.size else (flag, config.size))
    fix = "give scales values of " if config.scales else f"use {option}{_as_set(option)}"
    raise InputError(f"{option} {value} is below {SMALLEST} px, the least jaxart takes; {fix}{SMALLEST} or more",
                     settings=["size", "start_size", "scales"])


def _as_set(option: str) -> str:
    """What goes between an option and its value in advice: "size=22" as Python passes it (the command line's
    `InputError.naming` writes it "--size 22"), a command's own flag "--sizes 22"."""
    return " " if option.startswith("--") else "="
