"""`StyleConfig`: every setting of a stylization, frozen, validated, and JSON round-trippable."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from collections.abc import Mapping

import numpy as np

from jaxart import color, config_checks, convs, layers, paths
from jaxart.errors import InputError, as_typed, given
from jaxart.layers import check_config_layers, config_layers

OPTIMIZERS = ("lbfgs", "adam")
LINESEARCHES = ("none", "zoom")
LOOPS = ("auto", "python", "scan")
INITS = ("content", "random")
# The settings each optimizer leaves unused (optimize.make_optimizer): L-BFGS takes a unit step
# or its line search's, Adam keeps no history of past steps. A command names them only where used
# (the CLI warns when one is given; StyleConfig.validate refuses a line search with adam). Here, not in
# optimize.py, so that `info --command` (reproduce.py) rebuilds a command without loading JAX.
IGNORES = {"lbfgs": ("learning_rate",), "adam": ("lbfgs_memory", "linesearch")}
SMALLEST = 16  # the least size, start size, scale or painting side in pixels VGG is given, for any photo


@dataclasses.dataclass(frozen=True)
class StyleConfig:
    """Settings of one stylization.

    Shapes and control flow (layers, size, steps, optimizer, loop) are static; the three loss weights are plain
    numbers the loss takes as traced arguments, so sweeps can vmap over them. `init` is "content", "random" (seeded
    by `seed`) or the path of an image. `colors` is one of `jaxart.color.MODES`; `style_scale` sizes the painting
    relative to the output (README, Controls). Layers are as `jaxart.features` takes them, or none (that loss left
    out)."""

    size: int = 512
    steps: int = 500
    content_layers: tuple[str, ...] = ("relu4_2",)
    style_layers: tuple[str, ...] = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
    style_layer_weights: tuple[float, ...] | None = None
    content_weight: float = 1.0
    style_weight: float = 10.0
    tv_weight: float = 10.0
    style_blend: tuple[float, ...] | None = None
    pooling: str = "max"
    optimizer: str = "lbfgs"
    linesearch: str = "none"
    lbfgs_memory: int = 10  # L-BFGS history pairs: 2 x this many image-sized vectors of state
    learning_rate: float = 0.02
    loop: str = "auto"
    chunk: int = 10
    init: str = "content"
    seed: int = 0
    remat: bool = False  # jax.checkpoint each VGG stage: less memory, one more forward pass
    # How convolutions are computed (convs.CONVS): auto: Winograd on CPU, bf16 gradients where it pays.
    conv: str = "auto"
    colors: str = "style"  # see jaxart.color.MODES
    # "luminance" only: the painting's Y scaled to the photo's mean and std (Gatys et al.).
    match_luminance: bool = True
    style_scale: float = 1.0  # painting's long side / output's long side
    # Free pixels around the image while it is optimized (margin.py: the photo mirrored outwards, cut off at
    # the end), so that the convolutions' zero padding draws no line along the border; 0: the image alone, as
    # the paper. 8 px left a bright line over a sky, +5 to +13 grey levels (README, Controls, Border).
    margin: int = 16
    # Coarse to fine (jaxart/scales.py): long sides ending at `size`, or doubling from `start_size`;
    # `scale_steps` gives the steps of each scale (else `steps` at every scale).
    scales: tuple[int, ...] | None = None
    start_size: int | None = None
    scale_steps: tuple[int, ...] | None = None
    # Spatial control (guided.py): a mask, each style's region colour in style order, and `keep_colors`, regions
    # kept as photographed.
    mask: str | None = None
    region_colors: tuple[str, ...] | None = None
    keep_colors: tuple[str, ...] | None = None

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in ("content_layers", "style_layers"):
                value = config_layers(f.name.split("_")[0], value)
            elif f.name in _TUPLES and value is not None:
                value = (value,) if isinstance(value, str) else _listed(f.name, value)
            object.__setattr__(self, f.name, _plain(value))

    def validate(self, arch: str | None = None, paintings: int | None = None) -> "StyleConfig":
        """Raise a ValueError naming the first bad setting; check layers against `arch`, the style blend against
        `paintings`."""
        from jaxart import region_styles, scales  # they import this module
        if self.scale_steps and isinstance(self.steps, int):  # steps is their sum: name the count at fault first
            scales.check_counts(self.scale_steps, self.steps)
        if self.scales and self.scales[-1] == self.size:  # the size is the last scale (--scales alone): name them
            scales.check_sides(self.scales)
        config_checks.positive_ints(self, "size", "steps", "chunk", "lbfgs_memory")
        if not isinstance(self.margin, int) or isinstance(self.margin, bool) or not 0 <= self.margin <= 64:
            raise InputError(f"margin must be a whole number of pixels from 0 to 64, got {self.margin!r}",
                             settings=["margin"])
        if self.size < SMALLEST:
            raise InputError(f"size {self.size} is too small; use at least {SMALLEST} pixels", settings=["size"])
        lr = self.learning_rate  # one line for 0 and -1: -1 was told ">= 0", then 0 "above 0"
        if not (isinstance(lr, (int, float)) and not isinstance(lr, bool) and 0 < lr <= config_checks.MAX_WEIGHT):
            raise InputError(f"learning-rate must be a finite number above 0 (at most 1e30), got {as_typed(lr)}",
                             settings=["learning_rate"])
        if not isinstance(self.seed, int) or not -2**63 <= self.seed < 2**63:
            raise InputError(f"seed must be a whole number that fits in 64 bits, got {self.seed!r}",
                             settings=["seed"])
        if self.optimizer != "lbfgs" and self.linesearch != "none":
            raise InputError(f"linesearch {self.linesearch!r} is L-BFGS's; optimizer {self.optimizer!r} takes none",
                             settings=["linesearch", "optimizer"])
        config_checks.choices(self, optimizer=OPTIMIZERS, linesearch=LINESEARCHES, loop=LOOPS, pooling=layers.POOLINGS,
                              conv=convs.CONVS, colors=color.MODES)
        for name in ("remat", "match_luminance"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"{name} must be true or false, got {getattr(self, name)!r}", settings=[name])
        if not self.match_luminance and self.colors != "luminance":
            raise InputError("match_luminance=False is for colors luminance only (the painting's luminance left "
                             f"unscaled); colors {self.colors} matches no luminance, so drop match_luminance=False",
                             settings=["match_luminance", "colors"])
        _style_scale(self)
        paths.file_setting("init", self.init, f"{' or '.join(INITS)}, or the path of an image file",
                           "to start from pixels of your own, give them to jaxart.run as x0", INITS)
        if not self.content_layers and not self.style_layers:
            raise ValueError("give at least one content or style layer")
        config_checks.loss_weights(self)
        config_checks.style_blend(self, paintings)
        scales.check(self)
        region_styles.check_config(self)
        if arch is not None:
            check_config_layers(arch, self)
        return self

    def layer_weights(self) -> dict[str, float]:
        """Per-style-layer weights, normalized to sum to 1."""
        w = self.style_layer_weights or (1.0,) * len(self.style_layers)
        return {n: x / (sum(w) or 1.0) for n, x in zip(self.style_layers, w)}

    def replace(self, **changes) -> "StyleConfig":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict) -> "StyleConfig":
        """The config of a dict from `to_dict` (or the JSON of `to_json`); another type, or a field of the
        wrong type, is an InputError naming it, an unknown field a ValueError (`validate` judges values)."""
        if not isinstance(d, dict):
            raise InputError(f"config is {given(d)}, not an object of fields; give what to_dict or "
                             "to_json writes")
        fields = {f.name: f.type for f in dataclasses.fields(cls)}
        if unknown := sorted(set(d) - set(fields), key=str):  # a key that is no string, too
            raise ValueError(f"unknown config fields {unknown}; known fields are {sorted(fields)}")
        if wrong := [f"config.{k}" for k, v in d.items() if not config_checks.typed(fields[k], v)]:
            raise InputError(f"field {', '.join(wrong)} has the wrong type; give a config as to_dict writes it")
        return cls(**d)

    @classmethod
    def from_json(cls, text: str) -> "StyleConfig":
        try:
            return cls.from_dict(json.loads(text))  # from_dict raises neither of these
        except (json.JSONDecodeError, RecursionError) as e:  # RecursionError: nested too deep to be a config
            raise InputError(f"config text is not valid JSON ({e}); give the text to_json writes") from None


_TUPLES = (
    "content_layers", "style_layers", "style_layer_weights", "style_blend", "scales", "scale_steps", "region_colors",
    "keep_colors",
)
# What each list setting holds, as an example, for a value that is no list.
_ONE_PER = {"style_layer_weights": "(1, 1, 1, 1, 1), one weight per style layer in their order",
            "style_blend": "(1, 1), one weight per painting", "scales": "(256, 512), long sides ending at size",
            "scale_steps": "(300, 200), one step count per scale",
            "region_colors": "('red', 'blue'), one mask colour per painting", "keep_colors": "('white',)"}


def _listed(name: str, value) -> tuple:
    """A list setting's value as a tuple of plain values. A number was "'int' object is not iterable", naming no
    setting; a dict (total_loss' layer_weights is one) became its keys, refused later as weights named 'relu1_1'."""
    if not isinstance(value, Mapping):
        try:
            return tuple(_plain(v) for v in value)
        except TypeError:  # no iterable: a number, a 0-D array
            pass
    raise TypeError(f"{name} is {given(value)}; give a list or tuple, such as "
                    f"{_ONE_PER[name]}")


def _plain(value):
    """NumPy and concrete JAX scalars as the Python numbers they hold (`np.arange` sweeps, JSON)."""
    # No JAX value exists before jax is imported, so config (and the command line's defaults) loads without it.
    jax = sys.modules.get("jax")
    arrays = (np.ndarray, jax.Array) if jax else np.ndarray
    if isinstance(value, np.generic) or (isinstance(value, arrays) and value.ndim == 0
                                         and not (jax and isinstance(value, jax.core.Tracer))):
        return value.item()
    return value


def _style_scale(config):
    s = config.style_scale
    # Above MAX_WEIGHT the memory estimate's pixel counts overflow floats, a traceback, not a refusal.
    if not (isinstance(s, (int, float)) and math.isfinite(s) and 0 < s <= config_checks.MAX_WEIGHT):
        raise InputError(f"style-scale must be a finite number above 0 (at most 1e30), got {as_typed(s)}",
                         settings=["style_scale"])
    # At `size` only: at a coarser scale the painting is enlarged to 16 px instead (image.painting_side).
    if config.size * s < SMALLEST:
        least = SMALLEST / config.size
        digits = 2 - math.floor(math.log10(least))  # three significant digits, rounded up
        least = math.ceil(least * 10**digits) / 10**digits
        least += (config.size * least < SMALLEST) / 10**digits
        raise InputError(f"style-scale {as_typed(s)} makes the painting {config.size * s:.0f} px at size "
                         f"{config.size}; VGG needs at least {SMALLEST}, so use style-scale >= {least:g}",
                         settings=["style_scale", "size"])
