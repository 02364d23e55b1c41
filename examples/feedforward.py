"""Fast style transfer (Johnson, Alahi & Fei-Fei 2016) with jaxart's loss as a perceptual loss.

A small feed-forward network (a strided conv, residual blocks, an upsampling conv) learns to
paint any photo in one painting's style in one forward pass. It is trained with optax Adam on
random crops of a few photos; its loss is `jaxart.total_loss` (VGG content + Gram style + TV),
vmapped over the batch, each crop being its own content target. Nothing here is special to
jaxart's own optimizer: the losses are plain differentiable functions of arrays.

    python examples/feedforward.py STYLE.jpg PHOTO.jpg [PHOTO ...] --steps 300 --size 128 \\
        --output /tmp/feedforward.png
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

import jaxart
from jaxart import LossWeights, Targets


class ResidualBlock(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x):
        y = nn.relu(nn.InstanceNorm()(nn.Conv(self.features, (3, 3))(x)))
        return x + nn.InstanceNorm()(nn.Conv(self.features, (3, 3))(y))


class StyleNet(nn.Module):
    """(N, H, W, 3) RGB in [0, 1] -> (N, H, W, 3) RGB in [0, 1]; any H, W."""

    widths: Sequence[int] = (16, 32)
    blocks: int = 3

    @nn.compact
    def __call__(self, x):
        n, h, w, _ = x.shape
        y = nn.relu(nn.InstanceNorm()(nn.Conv(self.widths[0], (5, 5))(x)))
        y = nn.relu(nn.InstanceNorm()(nn.Conv(self.widths[1], (3, 3), strides=2)(y)))
        for _ in range(self.blocks):
            y = ResidualBlock(self.widths[1])(y)
        y = jax.image.resize(y, (n, h, w, y.shape[-1]), "nearest")
        y = nn.relu(nn.InstanceNorm()(nn.Conv(self.widths[0], (3, 3))(y)))
        return nn.sigmoid(nn.Conv(3, (5, 5))(y))


def perceptual_loss(weights: jaxart.Weights, grams: dict, config: jaxart.StyleConfig, lw: LossWeights) -> Callable:
    """`loss(outputs, photos) -> scalar`: jaxart's total loss of each output against its own photo
    and the painting's Grams, averaged over the (N, H, W, 3) batch."""

    def one(output, content_features):
        return jaxart.total_loss(weights, output, Targets(content_features, grams), config, lw)[0]

    def loss(outputs, photos):
        content = jaxart.features(weights, photos, config.content_layers, config.pooling)
        return jnp.mean(jax.vmap(one)(outputs, jax.lax.stop_gradient(content)))

    return loss


def crops(photos: Sequence[np.ndarray], size: int, batch: int, rng: np.random.Generator) -> np.ndarray:
    """`batch` random size x size crops (randomly flipped) of (H, W, 3) photos in [0, 1]."""
    out = []
    for i in rng.integers(len(photos), size=batch):
        p = photos[i]
        y, x = rng.integers(p.shape[0] - size + 1), rng.integers(p.shape[1] - size + 1)
        c = p[y:y + size, x:x + size]
        out.append(c[:, ::-1] if rng.random() < 0.5 else c)
    return np.stack(out).astype(np.float32)


def train(
    weights: jaxart.Weights, style: np.ndarray, photos: Sequence[np.ndarray], *,
    config: jaxart.StyleConfig = jaxart.StyleConfig(), steps: int = 300, size: int = 128, batch: int = 4,
    learning_rate: float = 1e-3, seed: int = 0, net: StyleNet = StyleNet(),
    callback: Callable[[int, float], None] | None = None,
) -> tuple[dict, list[float]]:
    """Train `net` to paint in `style`'s manner; returns its variables and the loss of every step.

    Args:
      style: (h, w, 3) painting in [0, 1], used at its size (resize it first to taste).
      photos: (H, W, 3) photos in [0, 1], each at least `size` on both sides; crops are drawn from them.
    """
    rng = np.random.default_rng(seed)
    feats = jaxart.features(weights, style, config.style_layers, config.pooling)
    grams = {k: jaxart.losses.gram(v) for k, v in feats.items()}
    lw = LossWeights.of(config)
    variables = net.init(jax.random.PRNGKey(seed), jnp.zeros((1, size, size, 3)))
    opt = optax.adam(learning_rate)
    state = opt.init(variables)

    @jax.jit
    def step(weights, grams, variables, state, photos):  # VGG's weights closed over were compiled in as constants
        loss = perceptual_loss(weights, grams, config, lw)
        value, grad = jax.value_and_grad(lambda v: loss(net.apply(v, photos), photos))(variables)
        with jax.numpy_dtype_promotion("standard"):  # optax's Adam bias correction is float ** int32
            updates, state = opt.update(grad, state, variables)
        return optax.apply_updates(variables, updates), state, value

    history = []
    for i in range(steps):
        variables, state, value = step(weights, grams, variables, state, crops(photos, size, batch, rng))
        history.append(float(value))
        if callback is not None:
            callback(i + 1, history[-1])
    return variables, history


def _photo(path: str, size: int) -> np.ndarray:
    """The photo with its long side 2 x `size`, or more where that leaves its short side under `size`
    (a panorama): every crop must fit."""
    image = jaxart.load_image(path)
    long, short = max(image.shape[:2]), min(image.shape[:2])
    return jaxart.image.resized(image, max(2 * size, -(-size * long // short)))


def _check(args: argparse.Namespace) -> None:
    """Refuse settings that would train nothing or fail later (an InputError)."""
    for name, least in (("steps", 1), ("batch", 1), ("size", 32)):
        if getattr(args, name) < least:
            raise jaxart.InputError(f"--{name} must be at least {least}, got {getattr(args, name)}")
    if not 0 < args.learning_rate < float("inf"):
        raise jaxart.InputError(f"--learning-rate must be a finite number above 0, got {args.learning_rate}")
    if not 0 <= args.style_weight < float("inf"):
        raise jaxart.InputError(f"--style-weight must be a finite number >= 0, got {args.style_weight}")


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    # The painting first (unlike `jaxart stylize`): any number of photos follow it.
    p.add_argument("style", metavar="STYLE", help="the painting whose style the network learns")
    p.add_argument("photos", metavar="PHOTO", nargs="+", help="photos to train on (random crops of them)")
    p.add_argument("--model", default="vgg16-hed", help="a weight set's name or a .safetensors path")
    p.add_argument("--steps", type=int, default=300, help="Adam training steps")
    p.add_argument("--size", type=int, default=128, help="training crop size in pixels (at least 32)")
    p.add_argument("--batch", type=int, default=4, help="crops per training step")
    p.add_argument("--learning-rate", type=float, default=1e-3, help="Adam's step size")
    p.add_argument("--style-weight", type=float, default=10.0, help="weight of the style loss (content's is 1)")
    p.add_argument("--output", default="/tmp/feedforward.png",
                   help="the first photo, painted by the trained net at 2 x --size on its long side (more for a panorama)")
    args = p.parse_args(argv)
    try:
        _check(args)
        weights = jaxart.load_weights(args.model)
        style = jaxart.load_image(args.style, 2 * args.size)
        photos = [_photo(f, args.size) for f in args.photos]
    except jaxart.JaxartError as e:  # a bad file, name or value: one line and exit 2, as the CLI says it
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    config = jaxart.StyleConfig(style_weight=args.style_weight)
    start = time.perf_counter()

    def report(i, value):
        if i == 1 or i % 20 == 0 or i == args.steps:
            print(f"step {i:4d}  loss {value:.4f}  {time.perf_counter() - start:.0f} s", flush=True)

    variables, history = train(weights, style, photos, config=config, steps=args.steps, size=args.size,
                               batch=args.batch, learning_rate=args.learning_rate, callback=report)
    if not np.isfinite(history[-1]):
        raise SystemExit("error: the loss became NaN or inf; lower --learning-rate or --style-weight")
    painted = StyleNet().apply(variables, photos[0][None])[0]
    jaxart.save_png(args.output, np.asarray(painted), {"example": "feedforward", "args": vars(args)})
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
