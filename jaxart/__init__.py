"""jaxart: neural style transfer (Gatys, Ecker & Bethge 2015) as pure, jittable JAX functions.

Example:
  >>> import jax, numpy as np, jaxart
  >>> w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg19", widths=(4, 8, 8, 8, 8))
  >>> f = jaxart.features(w, np.zeros((32, 32, 3), np.float32), ["relu1_1", "relu4_2"])
  >>> f["relu1_1"].shape, f["relu4_2"].shape
  ((32, 32, 4), (4, 4, 8))
"""

from jaxart import color, losses, margin, objective, targets
from jaxart.config import StyleConfig
from jaxart.errors import InputError, JaxartError, NonFiniteLossError, WeightsError
from jaxart.image import load_image
from jaxart.image_record import read_record
from jaxart.output import save_image, save_png
from jaxart.objective import LossWeights, loss_config, total_loss
from jaxart.targets import Targets, make_targets
from jaxart.transfer import run, stylize
from jaxart.vgg import VGG, VGG16, VGG19, Preprocess, Weights, features, layer_names
from jaxart.weights.random_init import random_weights
from jaxart.weights import load_weights
from jaxart import sheet, sweep  # sheet: a sweep's contact sheet, page and tiles, as the command writes them

__version__ = "0.2.0"

__all__ = [
    "VGG", "VGG16", "VGG19", "InputError", "JaxartError", "LossWeights", "NonFiniteLossError", "Preprocess",
    "StyleConfig", "color", "Targets", "Weights", "WeightsError", "features", "layer_names", "load_image",
    "load_weights", "loss_config", "losses", "make_targets", "margin", "objective", "random_weights", "read_record",
    "run", "save_image", "save_png", "sheet", "stylize", "sweep", "targets", "total_loss",
]
