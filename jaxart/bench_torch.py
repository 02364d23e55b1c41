"""The PyTorch baseline for `jaxart bench --baseline torch`: the same VGG, weights, loss and L-BFGS.

Torch is optional (`pip install jaxart[torch]`); this module imports it only when called, so
`import jaxart` never needs it. Everything mirrors jaxart exactly, so that a timing ratio
compares implementations, not problems: the jaxart parameter tree is converted (HWIO -> OIHW),
the weight set's preprocessing is applied, and every loss term is normalized as `jaxart.losses`
normalizes it. Images are (H, W, 3) float32 in [0, 1], as in jaxart; torch works in NCHW.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # only for the annotations: bench_memory runs this file alone, where importing jaxart (JAX) would
    from jaxart.config import StyleConfig  # add JAX's runtime to PyTorch's memory figure
    from jaxart.vgg import Weights

_EPS = 1e-12


# Told wherever torch is found missing (bench's option check, the baseline itself). PyPI's torch is a multi-GB CUDA
# build on Linux; PyTorch's CPU index holds the small one.
MISSING = ("--baseline torch needs PyTorch: pip install torch==2.13.0 (on a machine without a GPU, add "
           "--index-url https://download.pytorch.org/whl/cpu for the CPU build)")


def available() -> bool:
    """Whether PyTorch can be imported here (`_torch`)."""
    try:
        _torch()
    except ValueError:
        return False
    return True


def _torch():
    try:
        import torch
    except ImportError:
        raise ValueError(MISSING) from None
    return torch


def _layer_order(params: dict) -> tuple[str, ...]:
    """VGG's activation names in forward order (as `jaxart.vgg.layer_names`), from its "convB_I" parameter keys."""
    convs = sorted(params, key=lambda k: tuple(map(int, k[4:].split("_"))))
    order = []
    for i, name in enumerate(convs):
        stage = name[4:].split("_")[0]
        order += [name, f"relu{name[4:]}"]
        if i + 1 == len(convs) or convs[i + 1][4:].split("_")[0] != stage:
            order.append(f"pool{stage}")
    return tuple(order)


class TorchStyle:
    """`loss_and_grad(x)` of jaxart's total loss in PyTorch, for one content and style set.

    Args:
      weights: a jaxart `Weights`; its parameters are copied into torch tensors.
      content: (H, W, 3) float32 photo in [0, 1] (already at the working size).
      styles: (h, w, 3) float32 paintings in [0, 1], blended as `config.style_blend` says.
      config: the `StyleConfig` whose layers, pooling and loss weights to use.
    """

    def __init__(self, weights: Weights, content: np.ndarray, styles: Sequence[np.ndarray], config: StyleConfig):
        torch = self.torch = _torch()
        self.config = config
        self.pre = weights.preprocess
        self.params = {
            k: (torch.from_numpy(np.asarray(v["kernel"]).transpose(3, 2, 0, 1).copy()),
                torch.from_numpy(np.asarray(v["bias"]).copy()))
            for k, v in weights.params.items()
        }
        self.order = _layer_order(self.params)
        self.layers = tuple(dict.fromkeys(config.content_layers + config.style_layers))
        with torch.no_grad():
            self.content = self.features(self.image(content), config.content_layers)
            per_style = [{k: self.gram(v) for k, v in self.features(self.image(s), config.style_layers).items()}
                         for s in styles]
            blend = np.asarray(config.style_blend or [1.0] * len(styles), np.float64)
            blend = blend / blend.sum()
            self.grams = {k: sum(float(b) * g[k] for b, g in zip(blend, per_style)) for k in config.style_layers}

    def image(self, x: np.ndarray):
        """(H, W, 3) in [0, 1] -> a (1, 3, H, W) float32 tensor."""
        return self.torch.from_numpy(np.ascontiguousarray(np.asarray(x, np.float32).transpose(2, 0, 1)[None]))

    def features(self, x, layers: Sequence[str]) -> dict:
        """Activations (1, C, h, w) at `layers`, computing only up to the deepest."""
        F = self.torch.nn.functional
        mean = self.torch.tensor(self.pre.mean, dtype=x.dtype).view(1, 3, 1, 1)
        if self.pre.kind == "caffe":
            x = x.flip(1) * 255.0 - mean
        else:
            x = (x - mean) / self.torch.tensor(self.pre.std, dtype=x.dtype).view(1, 3, 1, 1)
        last = max(self.order.index(k) for k in layers)
        out = {}
        for name in self.order[: last + 1]:
            if name.startswith("conv"):
                x = F.conv2d(x, *self.params[name], padding=1)
            elif name.startswith("relu"):
                x = F.relu(x)
            else:
                pool = F.max_pool2d if self.config.pooling == "max" else F.avg_pool2d
                x = pool(x, 2, 2)
            if name in layers:
                out[name] = x
        return out

    def gram(self, f):
        """(1, C, h, w) -> (C, C) Gram over positions divided by h w, as `jaxart.losses.gram`."""
        c, hw = f.shape[1], f.shape[2] * f.shape[3]
        m = f.reshape(c, hw)
        return m @ m.T / hw

    def _relative(self, error, energy):
        """`error` over its target's `energy`, as `jaxart.losses` divides it: an all-zero target's error undivided,
        where `energy + 1e-12` made it 10^12 times jaxart's."""
        return error / self.torch.where(energy > 0, energy + _EPS, self.torch.ones_like(energy))

    def loss(self, x):
        """Total loss (a 0-d tensor) and its terms of a (1, 3, H, W) image tensor."""
        cfg = self.config
        f = self.features(x, self.layers)
        zero = x.new_zeros(())
        content = sum((self._relative((f[k] - t).pow(2).mean(), t.pow(2).mean()) for k, t in self.content.items()),
                      zero)
        content = content / max(1, len(self.content))
        lw = cfg.layer_weights()
        style = sum((lw[k] * self._relative((self.gram(f[k]) - g).pow(2).sum(), g.pow(2).sum())
                     for k, g in self.grams.items()), zero)
        tv = (x[:, :, 1:] - x[:, :, :-1]).pow(2).mean() + (x[:, :, :, 1:] - x[:, :, :, :-1]).pow(2).mean()
        total = cfg.content_weight * content + cfg.style_weight * style + cfg.tv_weight * tv
        return total, {"content": content, "style": style, "tv": tv}

    def loss_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Total loss of an (H, W, 3) image and its (H, W, 3) gradient, as NumPy."""
        t = self.image(x).requires_grad_(True)
        total, _ = self.loss(t)
        total.backward()
        return float(total.detach()), t.grad[0].numpy().transpose(1, 2, 0)

    def evaluator(self, x: np.ndarray):
        """A zero-argument function running one loss+gradient evaluation at `x`."""
        t = self.image(x).requires_grad_(True)

        def evaluate():
            t.grad = None
            self.loss(t)[0].backward()

        return evaluate

    def lbfgs(self, x: np.ndarray, memory: int = 10):
        """`(step, value, image)`: `step()` runs one `torch.optim.LBFGS` step with a unit step and no
        line search (one evaluation, as jaxart's default), then clips pixels to [0, 1]."""
        torch = self.torch
        t = self.image(x).requires_grad_(True)
        opt = torch.optim.LBFGS([t], lr=1.0, max_iter=1, history_size=memory,
                                tolerance_grad=0.0, tolerance_change=0.0, line_search_fn=None)
        last = {"value": float("inf")}

        def closure():
            opt.zero_grad()
            total = self.loss(t)[0]
            total.backward()
            last["value"] = float(total.detach())
            return total

        def step():
            opt.step(closure)
            with torch.no_grad():
                t.clamp_(0.0, 1.0)

        return step, lambda: last["value"], lambda: t.detach()[0].numpy().transpose(1, 2, 0)
