"""VGG's layer names, and what `vgg.features` checks before it runs: the layers asked for, the image's
shape and size, and the parameters against the architecture (the pixels' type: arrays.py). Shapes and names
only, so the checks hold under jit at no cost."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
import numpy as np

from jaxart.arrays import (IMAGE, NOT_NUMBERS, as_numbers, as_pixels, at_least_float32, check_numbers, check_pixels,
                           host_array)
from jaxart.errors import InputError, given

# arrays.py's names are re-exported, from before it was split off: jaxart.layers.as_pixels and the rest.
__all__ = [
    "CHANNELS", "IMAGE", "NOT_NUMBERS", "POOLINGS", "STAGES", "as_layers", "as_numbers", "as_pixels",
    "at_least_float32", "check_config_layers", "check_layers", "check_numbers", "check_params", "check_pixels",
    "check_reach", "config_layers", "conv_names", "host_array", "layer_names", "rgb_hint", "stage_layer_names",
]

CHANNELS = (64, 128, 256, 512, 512)
STAGES = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}
POOLINGS = ("max", "avg")


def layer_names(arch: str) -> tuple[str, ...]:
    """All activation names of `arch` in forward order: conv1_1, relu1_1, ..., pool5."""
    if not isinstance(arch, (str, type(None))):  # a Weights failed with "unhashable type: 'dict'"
        raise TypeError(f"arch must be a name, {' or '.join(map(repr, STAGES))}, got {given(arch)}; "
                        "for a Weights, give weights.arch")
    if arch not in STAGES:
        raise ValueError(f"unknown architecture {arch!r}; use one of {', '.join(STAGES)}")
    return stage_layer_names(STAGES[arch])


def stage_layer_names(stage_sizes: Sequence[int]) -> tuple[str, ...]:
    """The activation names of a VGG with `stage_sizes` convolutions per stage, in forward order."""
    names = []
    for b, n in enumerate(stage_sizes, 1):
        for i in range(1, n + 1):
            names += [f"conv{b}_{i}", f"relu{b}_{i}"]
        names.append(f"pool{b}")
    return tuple(names)


def conv_names(arch: str) -> tuple[str, ...]:
    """The names of the convolution layers of `arch`, which are also the parameter keys."""
    return tuple(n for n in layer_names(arch) if n.startswith("conv"))


def as_layers(layers: str | Sequence[str]) -> tuple[str, ...]:
    """`features`' `layers` as a tuple of names: one name (a str) is that layer; a list, tuple or 1-D NumPy array
    of names is those, each a plain str. A TypeError names anything else (None, a number, a 0-D or 2-D array,
    whose rows NumPy could not compare with a name: "truth value of an array ... is ambiguous"), a ValueError
    an empty one; `check_layers` checks the names against an architecture."""
    if layers is None:
        raise TypeError("layers is None; name at least one, such as ['relu4_2']")
    if isinstance(layers, str):
        return (str(layers),)
    if isinstance(layers, np.ndarray) and layers.ndim != 1:
        raise TypeError(f"layers is a {layers.ndim}-D NumPy array, shape {layers.shape}; give the layer names as "
                        "a list, tuple or 1-D array, such as ['relu4_2']")
    _check_static(layers, "layers", TypeError)  # as before, when it said "layers (DynamicJaxprTracer) are not ..."
    try:
        names = tuple(layers)
    except TypeError:
        raise TypeError(f"layers is {given(layers)}, not layer names; give them as a list, tuple or "
                        "1-D array, such as ['relu4_2']") from None
    if not names:
        raise ValueError("layers is empty; name at least one, such as ['relu4_2']")
    _check_names(names)
    return tuple(map(str, names))


def _check_names(layers: Sequence) -> None:
    """Raise a ValueError naming the first of `layers` that is no str: a row of a 2-D array, a number, bytes."""
    for layer in layers:
        _check_static(layer, "a layer")
        if not isinstance(layer, str):
            raise ValueError(f"a layer is {given(layer)}, not a layer name; give names (str) such as 'relu4_2'")


def _check_static(value, what: str, error: type[Exception] = ValueError) -> None:
    """Raise `error` if `value` is traced: a layer name passed through jax.jit as an argument was told it
    "JitTracer(int32[]) (...DynamicJaxprTracer) is not a layer name", which said nothing of jit."""
    jax = sys.modules.get("jax")  # no traced value exists before jax is imported; the command line checks without it
    if jax is not None and isinstance(value, jax.core.Tracer):
        raise error(f"{what} is traced ({value.aval.str_short()}); layer names choose the program, so give them as "
                    "static Python strings (jax.jit(..., static_argnames='layers'), or close over them), "
                    "such as 'relu4_2'")


def check_layers(arch: str, layers: Sequence[str]) -> None:
    """Raise a ValueError naming the first layer that `arch` does not have, or that is no name (a str)."""
    valid = layer_names(arch)
    _check_names(layers)
    for layer in layers:
        if layer not in valid:
            raise ValueError(
                f"layer {layer!r} does not exist; {arch.upper()} has "
                f"{valid[0]} ... {valid[-1]} (convB_I, reluB_I, poolB)"
            )


def check_config_layers(arch: str, config) -> None:
    """`check_layers` of a StyleConfig's content and style layers, each refusal an InputError naming its setting."""
    layer_names(arch)  # an unknown architecture is no layer's fault
    for name in ("content_layers", "style_layers"):
        try:
            check_layers(arch, getattr(config, name))
        except ValueError as e:
            raise InputError(f"{name.replace('_', '-')}: {e}", settings=[name]) from None


def rgb_hint(shape: tuple[int, ...], batch: str | None = None) -> str | None:
    """None for an (H, W, 3) `shape` (or an (N, H, W, 3) one where `batch` is None); else how to make an
    RGB image of what the shape looks like, `batch` for such a batch ("jax.vmap ..."). A bare shape
    left a user with a channels-first array told to give a larger image, or with nothing to go on."""
    shape = tuple(shape)
    if len(shape) in ((3,) if batch else (3, 4)) and shape[-1] == 3:
        return None
    if len(shape) == 4 and shape[-1] == 3:
        return batch
    if len(shape) > 4 and shape[-1] == 3:  # was told "give RGB pixels, channels last", which they are
        return batch or (f"{len(shape) - 3} batch axes, where one goes: merge them, x.reshape(-1, *x.shape[-3:]), "
                         "or jax.vmap over the others")
    if len(shape) == 2 and shape[-1] == 3:  # an (H, W, 3) image that jax.vmap mapped over its rows
        return "one row of an image: jax.vmap maps over an (N, H, W, 3) batch, not over one image"
    if len(shape) == 2:
        return "a grey image: repeat it, np.stack([x] * 3, -1)"
    if len(shape) in (3, 4) and shape[-3] == 3:
        return "channels first: move them last, np.moveaxis(x, -3, -1)"
    if len(shape) in (3, 4) and shape[-1] == 4:
        return "with alpha: composite it or drop it, x[..., :3]"
    if len(shape) in (3, 4) and shape[-1] == 1:
        return "one channel: repeat it, np.repeat(x, 3, -1)"
    return "give RGB pixels, channels last"


def check_reach(hw: tuple[int, ...], last: str, what: str = "image") -> None:
    """Raise a ValueError when an (h, w) image, called `what`, is too small for layer `last`:
    pooling left it no pixel, which gave empty activations and NaN losses."""
    need = 2 ** (int(last[4]) - 1 + last.startswith("pool"))
    if min(hw) < need:
        raise ValueError(f"{what} is {hw[1]}x{hw[0]} px, too small for layer {last}, which needs at least {need} px "
                         "on each side; give a larger image or shallower layers")


def check_params(params: dict, arch: str, names: Sequence[str]) -> None:
    """Raise a ValueError naming the first of the convolutions in `names` that `params` lacks or has
    misshapen, or a layer `arch` lacks: params of another architecture ran the wrong network
    silently, and a missing or misshapen layer failed inside Flax. Shapes only, so free under jit."""
    if not isinstance(params, Mapping):
        raise ValueError(f"weights.params is {given(params)}; "
                         "give a dict of conv layers, as load_weights does")
    # Other entries (a classifier's fc6, say) are not read; another architecture's conv layers are a mix-up.
    other = sorted(set(params) & set().union(*map(conv_names, STAGES)) - set(conv_names(arch)))
    if other:
        theirs = next((a for a in STAGES if set(params) <= set(conv_names(a))), None)
        raise ValueError(f"weights have layer {other[0]}, which {arch} lacks"
                         + (f": they are {theirs}'s, so give arch={theirs!r}" if theirs else ""))
    cin = 3
    for name in (n for n in names if n.startswith("conv")):
        layer = params.get(name)
        if not isinstance(layer, Mapping) or "kernel" not in layer or "bias" not in layer:
            theirs = next((a for a in STAGES if a != arch and set(params) == set(conv_names(a))), None)
            raise ValueError(f"weights lack {name}'s kernel and bias, which {names[-1]} needs"
                             + (f": they are {theirs}'s, so give arch={theirs!r}" if theirs else ""))
        k, b = np.shape(layer["kernel"]), np.shape(layer["bias"])  # .shape, also of a tracer
        if len(k) != 4 or k[:3] != (3, 3, cin) or b != k[3:]:
            stacked = len(k) > 4 and k[-4:-1] == (3, 3, cin) and b[-1:] == k[-1:]  # random_weights vmapped, say
            raise ValueError(f"weights' {name} has kernel {k} and bias {b}; {arch} needs (3, 3, {cin}, C) and (C,)"
                             + (f": these are a stack of {k[0]} weight sets, so jax.vmap over them" * stacked))
        _check_float(name, layer)
        cin = k[3]


def _check_float(name: str, layer: Mapping) -> None:
    """Raise a ValueError naming `name`'s kernel or bias if of no float dtype: integer, bool or complex weights were
    cast to float32 silently (complex ones losing their imaginary part), so a user's mistake ran as if it were none."""
    import jax.numpy as jnp

    for part in ("kernel", "bias"):
        a = layer[part]
        dtype = a.dtype if hasattr(a, "dtype") else jnp.result_type(a)  # NumPy's int64, not x64-less JAX's int32
        if not jnp.issubdtype(dtype, jnp.floating):
            raise ValueError(f"weights' {name} {part} is {dtype}; give float weights (float32, or float16, bfloat16 "
                             "or float64), such as jax.tree.map(lambda a: a.astype(np.float32), weights)")


def config_layers(kind: str, value) -> tuple[str, ...]:
    """A StyleConfig's `kind` ("content", "style") layers: `as_layers`' tuple, or () for none; errors name their
    `kind` (a 2-D array was "unhashable type" as the config was built)."""
    if value is None:  # as_layers says "name at least one": a config may have none
        raise TypeError(f"{kind} layers is None; give layer names such as ('relu4_2',), or () to leave that loss out")
    try:
        return () if isinstance(value, (tuple, list)) and not value else as_layers(value)
    except (TypeError, ValueError) as e:
        raise type(e)(str(e).replace("layer", f"{kind} layer", 1)) from None
