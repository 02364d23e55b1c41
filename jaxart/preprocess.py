"""How a weight set expects its input: `Preprocess`, from RGB in [0, 1] to what VGG was trained on.

Apart from `weightset.py` (the `Weights` pytree, which needs JAX to register), so that the weights registry and
the commands that only read it (`jaxart weights list`, `--help`) load no JAX; `__call__` imports it when it runs.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jax


@dataclasses.dataclass(frozen=True)
class Preprocess:
    """How a weight set expects its input, from RGB in [0, 1].

    `caffe`: scale to [0, 255], reorder to BGR, subtract `mean` (given in BGR order; the default is Keras').
    `torch`: subtract `mean` and divide by `std` (RGB order, [0, 1] scale): give both, such as torchvision's
    `Preprocess("torch", (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))`.
    `mean` and `std` are 3 finite numbers each (std none 0), kept as tuples of floats; another `kind`, count
    or value is a ValueError here, not at the first trace, and so is a mean of the other kind's scale.
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
        # A mean of the other scale ran without an error, on inputs 100x off: `Preprocess("torch")` subtracted the
        # default caffe means (103.9, ...) from [0, 1] pixels, and torchvision's (0.485, ...) under caffe did nothing.
        if self.kind == "torch" and not all(0 <= m <= 1 for m in self.mean):
            raise ValueError(f"Preprocess('torch') takes a mean on the [0, 1] scale, got {self.mean} (caffe's, for "
                             "0..255 BGR?); give one with its std, such as torchvision's: "
                             "Preprocess('torch', (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))")
        if self.kind == "caffe" and 0 < max(self.mean) <= 1 and min(self.mean) >= 0:
            raise ValueError(f"Preprocess('caffe') takes a mean on the 0..255 scale in BGR order, got {self.mean} "
                             "(torchvision's, for [0, 1] RGB?); give those as Preprocess('torch', mean, std)")

    def __call__(self, x: jax.Array) -> jax.Array:
        """(..., 3) RGB in [0, 1] to the (..., 3) input the weights were trained on, in `x`'s float dtype."""
        import jax.numpy as jnp

        channel = lambda v: jnp.asarray(v, x.dtype).reshape((1,) * (x.ndim - 1) + (3,))
        if self.kind == "caffe":
            return x[..., ::-1] * 255.0 - channel(self.mean)
        return (x - channel(self.mean)) / channel(self.std)  # "torch": __post_init__ allows no other kind

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Preprocess":
        return cls(kind=d["kind"], mean=tuple(d["mean"]), std=tuple(d["std"]))
