"""The job a user asks for: files in, a PNG with its run record out, checked before any work."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from jaxart import image, transfer, weights
from jaxart.config import StyleConfig
from jaxart.errors import InputError, NonFiniteLossError, WeightsError
from jaxart.vgg import Weights


def check_output(path: Path) -> None:
    """Fail before any work if `path` cannot be written as a PNG."""
    if path.suffix.lower() != ".png":
        raise InputError(f"output {path} must end in .png")
    if path.is_dir():
        raise InputError(f"output {path} is a folder; give a file name ending in .png")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"output folder {parent} does not exist; create it or choose another --output")
    if not os.access(parent, os.W_OK):
        raise InputError(f"output folder {parent} is not writable; choose another --output")


def model_arch(model: str) -> str:
    """The architecture `model` will have, known before any weights load ("auto" -> vgg19)."""
    if model == "auto":
        return "vgg19"
    if model.endswith(".safetensors") or os.sep in model:
        path = Path(model)
    elif model in weights.SOURCES:
        return weights.SOURCES[model].arch
    else:
        path = weights.path_for(model)
        if not path.is_file():
            known = ", ".join(sorted(set(weights.SOURCES) | set(weights.installed())))
            raise InputError(f"unknown model {model!r}; known models are {known}")
    if not path.is_file():
        raise InputError(f"weights file {path} does not exist; check the --model path")
    return weights.store.read_metadata(path).get("arch", "vgg19")


def resolve_model(model: str, fetch: Callable[[str], object], warn: Callable[[str], None]) -> Weights:
    """Load `model`; "auto" means vgg19 if installed or downloadable, else vgg16-hed with a warning."""
    if model != "auto":
        if not (model.endswith(".safetensors") or os.sep in model):
            fetch(model)
        return weights.load_weights(model, download=False)
    try:
        fetch("vgg19")
        return weights.load_weights("vgg19", download=False)
    except WeightsError as e:
        warn(f"vgg19 weights unavailable ({str(e).split(';')[0]}); using vgg16-hed")
        fetch("vgg16-hed")
        return weights.load_weights("vgg16-hed", download=False)


def record(config: StyleConfig, w: Weights, outcome: transfer.Outcome, inputs: dict) -> dict:
    from jaxart import __version__

    return {
        "jaxart": __version__, "config": config.to_dict(), "seed": config.seed, "model": w.name,
        "arch": w.arch, "weights_sha256": w.sha256, "loss": outcome.terms, "steps": outcome.steps,
        "seconds": round(outcome.seconds, 3), "inputs": inputs,
    }


def load_inputs(content: Path, styles: list[Path]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Decode the photo and paintings, so a bad file fails before any weights load."""
    if not styles:
        raise InputError("give at least one style image after the content image")
    return image.load_image(content), [image.load_image(s) for s in styles]


def stylize_files(
    content: Path,
    styles: list[Path],
    output: Path,
    config: StyleConfig,
    w: Weights,
    *,
    save_every: int = 0,
    on_step: Callable[[int, float, dict], None] | None = None,
) -> transfer.Outcome:
    """Stylize image files into `output` (written atomically); frames every `save_every` steps.

    On a non-finite loss the last finite image is written to `output` before re-raising.
    """
    config.validate(w.arch)
    check_output(output)
    photo, paintings = load_inputs(content, styles)
    inputs = {"content": str(content), "styles": [str(s) for s in styles]}

    def callback(p: transfer.Progress) -> None:
        if on_step:
            on_step(p.step, p.loss, p.terms)
        if save_every and p.step % save_every == 0 and p.step < p.steps:
            frame = output.with_name(f"{output.stem}_{p.step:05d}.png")
            image.save_png(frame, np.asarray(p.image), {"step": p.step, "inputs": inputs})

    start = time.perf_counter()
    try:
        outcome = transfer.run(photo, paintings, weights=w, config=config, callback=callback,
                              every=save_every or None)
    except NonFiniteLossError as e:
        failed = transfer.Outcome(e.image, {}, e.step, time.perf_counter() - start)
        image.save_png(output, e.image, {**record(config, w, failed, inputs), "error": str(e)})
        raise NonFiniteLossError(f"{e}; wrote it to {output}", e.image, e.step) from None
    image.save_png(output, outcome.image, record(config, w, outcome, inputs))
    return outcome
