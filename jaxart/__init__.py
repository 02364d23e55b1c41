"""jaxart: neural style transfer (Gatys, Ecker & Bethge 2015) as pure, jittable JAX functions.

Example:
  >>> import jax, numpy as np, jaxart
  >>> w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg19", widths=(4, 8, 8, 8, 8))
  >>> f = jaxart.features(w, np.zeros((32, 32, 3), np.float32), ["relu1_1", "relu4_2"])
  >>> f["relu1_1"].shape, f["relu4_2"].shape
  ((32, 32, 4), (4, 4, 8))
"""

# The public names load on first use (PEP 562), so that `import jaxart` and a command that needs no JAX (`jaxart
# --help`, `info`, `weights list`) skip the ~2 s of importing jax, flax and optax. Each name's module, once imported,
# is what `from jaxart import X` and `jaxart.X` give, as the eager imports did.
import importlib
import importlib.util
from typing import TYPE_CHECKING

__version__ = "0.2.0"

# name -> the module that defines it; a submodule exported as itself maps to None.
_SOURCES = {
    "color": None, "losses": None, "margin": None, "objective": None, "targets": None, "sheet": None, "sweep": None,
    "StyleConfig": "jaxart.config",
    "InputError": "jaxart.errors", "JaxartError": "jaxart.errors", "NonFiniteLossError": "jaxart.errors",
    "WeightsError": "jaxart.errors",
    "load_image": "jaxart.image", "read_record": "jaxart.image_record",
    "save_image": "jaxart.output", "save_png": "jaxart.output",
    "LossWeights": "jaxart.objective", "loss_config": "jaxart.objective", "total_loss": "jaxart.objective",
    "Targets": "jaxart.targets", "make_targets": "jaxart.targets",
    "run": "jaxart.transfer", "stylize": "jaxart.transfer",
    "VGG": "jaxart.vgg", "VGG16": "jaxart.vgg", "VGG19": "jaxart.vgg", "Preprocess": "jaxart.vgg",
    "Weights": "jaxart.vgg", "features": "jaxart.vgg", "layer_names": "jaxart.vgg",
    "random_weights": "jaxart.weights.random_init", "load_weights": "jaxart.weights",
}

__all__ = [
    "VGG", "VGG16", "VGG19", "InputError", "JaxartError", "LossWeights", "NonFiniteLossError", "Preprocess",
    "StyleConfig", "color", "Targets", "Weights", "WeightsError", "features", "layer_names", "load_image",
    "load_weights", "loss_config", "losses", "make_targets", "margin", "objective", "random_weights", "read_record",
    "run", "save_image", "save_png", "sheet", "stylize", "sweep", "targets", "total_loss",
]


def __getattr__(name: str):
    source = _SOURCES.get(name)
    if source is None:  # a submodule: the public ones, and any other (`jaxart.config`), as the eager imports gave
        if name.startswith("_") or importlib.util.find_spec(f"jaxart.{name}") is None:
            raise AttributeError(f"module 'jaxart' has no attribute {name!r}")
        return importlib.import_module(f"jaxart.{name}")
    value = getattr(importlib.import_module(source), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # what type checkers and IDEs see: the eager imports this module made before
    from jaxart import color, losses, margin, objective, sheet, sweep, targets  # noqa: F401
    from jaxart.config import StyleConfig  # noqa: F401
    from jaxart.errors import InputError, JaxartError, NonFiniteLossError, WeightsError  # noqa: F401
    from jaxart.image import load_image  # noqa: F401
    from jaxart.image_record import read_record  # noqa: F401
    from jaxart.objective import LossWeights, loss_config, total_loss  # noqa: F401
    from jaxart.output import save_image, save_png  # noqa: F401
    from jaxart.targets import Targets, make_targets  # noqa: F401
    from jaxart.transfer import run, stylize  # noqa: F401
    from jaxart.vgg import VGG, VGG16, VGG19, Preprocess, Weights, features, layer_names  # noqa: F401
    from jaxart.weights import load_weights  # noqa: F401
    from jaxart.weights.random_init import random_weights  # noqa: F401
