"""A weight set: VGG parameters, the preprocessing they expect, and which file they came from; `check_weights`,
what a value given as one must be, and `compute_dtype`, the dtype `vgg.features` computes it in.

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
from collections.abc import Mapping

import jax
import jax.numpy as jnp
from flax import serialization

from jaxart.arrays import at_least_float32
from jaxart.errors import given
from jaxart.preprocess import Preprocess  # re-exported: weightset.Preprocess, vgg.Preprocess

__all__ = ["Preprocess", "Weights", "check_weights", "compute_dtype"]


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


def check_weights(weights: object) -> None:
    """Refuse anything but a Weights, naming it: its params alone (as Flax's apply takes) or a name would fail on
    .arch inside."""
    if not isinstance(weights, Weights):
        raise TypeError(f"weights must be a jaxart.Weights (load_weights or random_weights), "
                        f"got {given(weights)}")
    # A file's keys (safetensors.numpy.load_file's 'conv1_1.kernel') were "weights lack conv1_1's kernel and bias".
    params = weights.params if isinstance(weights.params, Mapping) else {}
    if "conv1_1" not in params and (flat := next((k for k in params if _flat("conv1_1", k)), None)) is not None:
        sep = f", sep={flat[7]!r}" if isinstance(flat, str) else ""
        raise ValueError(f"weights.params has flat keys, such as {flat!r}; nest them by layer, flax.traverse_util."
                         f"unflatten_dict(params{sep}), or load the file with jaxart.load_weights(path), which also "
                         "sets its arch and preprocessing")


def _flat(layer: str, key) -> bool:
    """Whether `key` is one of `layer`'s flattened: 'conv1_1.kernel' (any separator) or ('conv1_1', 'kernel')."""
    if isinstance(key, tuple):
        return key[:1] == (layer,)
    return isinstance(key, str) and key.startswith(layer) and len(key) > len(layer) and not key[len(layer)].isalnum()


def compute_dtype(weights: Weights) -> jnp.dtype:
    """The dtype `features` and `total_loss` compute in: that of the weights' first kernel, at least
    float32 (float32 for `load_weights` and `random_weights`). Float64 weights (say
    `jax.tree.map(lambda a: a.astype(jnp.float64), w)` under `jax_enable_x64`) give a float64 pass,
    for `jax.test_util.check_grads` (give it eps=1e-6: its default 1e-4 crosses ReLU and max-pool kinks, 1% off
    beyond tiny images); `features` casts the pixels to this dtype too."""
    try:
        dtype = jnp.dtype(jnp.result_type(weights.params["conv1_1"]["kernel"]))
    except (KeyError, TypeError):  # no such layer: check_params names it
        return jnp.dtype(jnp.float32)
    return at_least_float32(dtype)
