"""Weight sets: a registry of sources, fetching and converting them, and loading them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from jaxart.errors import InputError, WeightsFileError, nearest_name
from jaxart.paths import as_path, check_path
from jaxart.weights import folder
from jaxart.weights.fetch import fetch
from jaxart.weights.layouts import LAYOUTS, convert, detect
from jaxart.weights.attempt_ends import Speed
from jaxart.weights.registry import SOURCES, Source, get_source
from jaxart.weights.folder import check_writable, file_kind, installed, path_for, remove, valid_name, weights_dir
from jaxart.weights.store import load, read_metadata, verify

if TYPE_CHECKING:
    from jaxart.weightset import Weights

__all__ = ["LAYOUTS", "SOURCES", "Source", "Speed", "check_registered_arch", "check_writable", "convert", "detect",
           "fetch", "get_source", "installed", "is_installed", "is_path", "unknown_model", "load", "load_weights",
           "path_for", "read_metadata", "remove", "verify", "weights_dir"]


def is_path(model: str) -> bool:
    """Whether a `--model` or `load_weights` argument is a file path rather than a weight set's name."""
    return model.endswith(".safetensors") or os.sep in model


def load_weights(name_or_path: str | os.PathLike, *, download: bool = True, progress=None) -> Weights:
    """Load a weight set by registry name (fetching it first if `download`) or by file path.

    Args:
      name_or_path: "vgg19", "vgg16-hed", "vgg19-torchvision", a name given to `weights convert`
        or `weights normalize`, or a `.safetensors` path.
      download: fetch a registered name that is not installed yet.
      progress: called as `progress(bytes_done, bytes_total)` while downloading.

    Returns:
      A `Weights` pytree usable with `jaxart.features`: `params` maps each `convB_I` to its
      (3, 3, Cin, Cout) kernel and (Cout,) bias, jax.Arrays on the default device (float32 in the
      files jaxart writes), `preprocess` what `features` applies to RGB in [0, 1].

    Raises:
      InputError (a ValueError): the name is neither registered nor installed (the message lists those
        that are), or is a file's name (an image, a .h5 or .pth to convert first).
      FileNotFoundError: a registered name is not installed and `download` is False.
      WeightsError: fetching, converting or reading the file failed.
    """
    text = str(as_path(name_or_path, "load_weights' name_or_path", "a weight set's name, such as 'vgg16-hed', or a "
                       ".safetensors file's path"))
    if is_path(text):
        check_path(text, "weights file", WeightsFileError)
        stem, bare = Path(text).stem, os.sep not in text
        if bare and not Path(text).exists() and (stem in SOURCES or path_for(stem).is_file()):
            raise WeightsFileError(f"weights file {text} does not exist; for the weight set {stem!r} give its name "
                                   "alone, without .safetensors")
        return load(Path(text))
    check_path(path_for(text), "installed weights", WeightsFileError)  # is_file(): a bare OSError, too long
    if not is_installed(text):
        if text not in SOURCES:
            raise InputError(unknown_model(text))
        if not download:
            raise FileNotFoundError(f"{text!r} is not installed; run `jaxart weights fetch {text}`")
        fetch(text, progress)
    w = load(path_for(text))
    check_registered_arch(text, w.arch)
    return w


def check_registered_arch(name: str, arch: str | None) -> None:
    """Refuse the installed file of registered weight set `name` where it holds another architecture (a file copied
    over it by hand): it loaded as that set, and the run record named the set."""
    if name in SOURCES and arch != SOURCES[name].arch:
        path = path_for(name)
        raise WeightsFileError(f"{path}, installed as {name} (a {SOURCES[name].arch}), holds {arch or 'no'} weights; "
                               f"{folder.redo(path)}")


def is_installed(name: str) -> bool:
    """Whether `name` is an installed weight set: a valid name whose file is in the weights folder (a file there
    named otherwise, such as a browser's "vgg16-hed (1).safetensors", is listed to rename, never loaded)."""
    return valid_name(name) and path_for(name).is_file()


def unknown_model(name: str) -> str:
    """Why `name`, neither registered nor installed, names no weights. One that looks like a file (a
    suffix, or a file of that name here: `--model painting.jpg`) is no weight set: say what is taken."""
    names = sorted(set(SOURCES) | set(installed()))
    known = ", ".join(names)
    what = file_kind(name)
    if not valid_name(name) and path_for(name).is_file():
        return (f"{name!r} is not a valid weights name, so {path_for(name)} is not loaded: rename it (letters, "
                f"digits, '.', '_' or '-') to use it; known models are {known}")
    if what is None:
        return f"unknown model {name!r}{nearest_name(name, names)}; known models are {known}; " \
               "`jaxart weights list` says what each is"
    if Path(name).suffix.lower() in (".h5", ".pth"):  # as `folder.redo` says of such a path
        return f"{name} is {what}; convert it first: jaxart weights convert {name} --name NAME"
    return (f"{name} is {what}: give a weight set's name ({known}; `jaxart weights list`) or a .safetensors "
            "file; a .h5 or .pth file goes through `jaxart weights convert` first")

