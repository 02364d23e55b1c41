"""A weight set: VGG parameters, the preprocessing they expect, and which file they came from.

`Weights` is a pytree whose only leaves are the parameters. Architecture and preprocessing change
the computation, so they are part of its tree structure (a jitted function compiles once per
pair); the name and hashes ride along in the structure too, but never compare unequal, so a second
file of the same shapes (a `jaxart weights normalize`d copy, another fine-tune) reuses every
compiled program, and each call still computes from its own parameters. The price: a `Weights` a
jitted function returns (a jitted cast, say) is labelled as the first weights it compiled for, so its
`name` printed, or its hashes in a run record, would name the wrong file; return `w.params` from jit and
`w.replace(params=...)` outside, which keeps each weight set's own. The preprocessing's mean
and std could be traced at no cost in time (a 128 px vgg16-hed loss+gradient compiled and ran
alike), but as leaves an optimizer would update them and `jax.tree.map` cast them with the kernels.
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
from flax import serialization

__all__ = ["Preprocess", "Weights"]


@dataclasses.dataclass(frozen=True)
class Preprocess:
    """How a weight set expects its input, from RGB in [0, 1].

    `caffe`: scale to [0, 255], reorder to BGR, subtract `mean` (given in BGR order).
    `torch`: subtract `mean` and divide by `std` (RGB order, [0, 1] scale).
    `mean` and `std` are 3 finite numbers each (std none 0), kept as tuples of floats; another `kind`, count
    or value is a ValueError here, not at the first trace.
    """

    kind: str = "caffe"
    mean: tuple[float, float, float] = (103.939, 116.779, 123.68)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)

    def __post_init__(self):
        # Checked here, not at the first trace: "torchvision" or a mean of two values failed inside jit (a
        # NumPy reshape error), a std of 0 gave NaN activations silently; a NumPy mean is kept as a tuple.
        if self.kind not in ("caffe", "torch"):
            raise ValueError(f"unknown preprocessing {self.kind!r}; use 'caffe' or 'torch' (torchvision's weights: "
                             "Preprocess('torch', mean, std), RGB on a [0, 1] scale)")
        for field in ("mean", "std"):
            v = getattr(self, field)
            try:
                values = tuple(x if type(x) in (int, float) else float(x) for x in v)
            except (TypeError, ValueError):
                values = ()
            if len(values) != 3 or not all(math.isfinite(x) for x in values) or (field == "std" and 0 in values):
                raise ValueError(f"Preprocess {field} must be 3 finite numbers, one per channel"
                                 f"{', none 0' if field == 'std' else ''}; got {v!r}")
            object.__setattr__(self, field, values)

    def __call__(self, x: jax.Array) -> jax.Array:
        """(..., 3) RGB in [0, 1] to the (..., 3) input the weights were trained on, in `x`'s float dtype."""
        channel = lambda v: jnp.asarray(v, x.dtype).reshape((1,) * (x.ndim - 1) + (3,))
        if self.kind == "caffe":
            return x[..., ::-1] * 255.0 - channel(self.mean)
        if self.kind == "torch":
            return (x - channel(self.mean)) / channel(self.std)
        raise ValueError(f"unknown preprocessing {self.kind!r}; use 'caffe' or 'torch'")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Preprocess":
        return cls(kind=d["kind"], mean=tuple(d["mean"]), std=tuple(d["std"]))


@dataclasses.dataclass(frozen=True)
class Weights:
    """A VGG parameter tree plus what is needed to use it; a pytree, so it passes through jit.

    `params` maps `conv{b}_{i}` to `{"kernel": (3, 3, Cin, Cout), "bias": (Cout,)}`. `sha256` is the
    file's hash; `content_sha256` that of its tensors and settings (arch, preprocessing) as its header
    records them, the same for any file holding these weights (see `weights.store.content_digest`).

    `params` are the leaves; `arch` and `preprocess` are static (another of either compiles again).
    `name`, `sha256` and `content_sha256` are not jit's business: weights that differ only in them
    share a compiled program. Read them outside jit: a `Weights` a jitted function returns carries
    the name and hashes of the weights that function was first compiled for (`w.replace(params=` its
    `.params)` keeps `w`'s).
    """

    params: dict
    arch: str = "vgg19"
    preprocess: Preprocess = Preprocess()
    name: str = ""
    sha256: str = ""
    content_sha256: str = ""

    def replace(self, **changes) -> "Weights":
        """These weights with `changes` (`params=`, `name=`, ...)."""
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass(frozen=True, eq=False)
class _Label:
    """A weight set's name and hashes, in its tree structure: equal to any other label, so that they
    never make jit trace and compile again, yet kept by `jax.tree.map`, `device_put` and the like."""

    name: str
    sha256: str
    content_sha256: str

    def __eq__(self, other) -> bool:
        return isinstance(other, _Label)

    def __hash__(self) -> int:
        return 0


def _static(w: Weights) -> tuple:
    return w.arch, w.preprocess, _Label(w.name, w.sha256, w.content_sha256)


def _unflatten(static, children) -> Weights:
    arch, preprocess, label = static
    return Weights(children[0], arch, preprocess, label.name, label.sha256, label.content_sha256)


jax.tree_util.register_pytree_with_keys(
    Weights, lambda w: (((jax.tree_util.GetAttrKey("params"), w.params),), _static(w)), _unflatten,
    flatten_func=lambda w: ((w.params,), _static(w)))
# As flax.struct registered it: `flax.serialization.to_bytes(weights)` holds the parameters.
serialization.register_serialization_state(
    Weights, lambda w: {"params": serialization.to_state_dict(w.params)},
    lambda w, state: w.replace(params=serialization.from_state_dict(w.params, state["params"], name="params")))
