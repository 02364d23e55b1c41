"""Read VGG convolution weights from torchvision state dicts (`.pth`), never unpickling code.

A `.pth` file is a pickle, and a full unpickle can run any code its author chose. It is only ever
read with `torch.load(..., weights_only=True)`, whose unpickler builds tensors and containers and
refuses everything else. torch is an optional dependency (`pip install 'jaxart[torch]'`).
"""

from __future__ import annotations

import os
import pickle
import re
import warnings
import zipfile

import numpy as np

from jaxart.byte_sizes import amount
from jaxart.layers import CHANNELS, conv_names
from jaxart.errors import WeightsError, WeightsFileError, given

_ZIP_MAGIC = b"PK\x03\x04"
_PICKLE_PROTO = 0x80
_FEATURE = re.compile(r"(?:module\.)?features\.(\d+)\.(weight|bias|running_mean)")
# The records torch.save writes into its zip archive, under one folder named after the file.
_TORCH_RECORD = re.compile(r".+/(data\.pkl|version|byteorder|\.format_version|\.storage_alignment|data/\d+|\.data/.+)")
# What the unpickler says when a pickle names a function or class: code, not damage.
_CODE = re.compile(r"GLOBAL ([\w.]+)|unrecognized function|Can only (?:create|build)")
# The most values one tensor of a torchvision VGG holds (the classifier's first layer, 25088 to 4096),
# and the most bytes a whole state dict inflates to (a VGG19_bn's 144M values, as float64). A forged
# shape over a one-value storage, or a compressed record (a zip bomb), would otherwise have torch
# allocate gigabytes from a file of a few kilobytes.
_MOST = 512 * 7 * 7 * 4096
_MOST_BYTES = 8 * 145_000_000


def _first_record(head: bytes) -> str | None:
    """The name in the first local header of a zip that starts with `head`; None if cut short."""
    size = int.from_bytes(head[26:28], "little")
    return head[30:30 + size].decode("utf-8", "replace") if len(head) >= 30 + size > 30 else None


def looks_like_pth(path: str | os.PathLike) -> bool:
    """Whether `path` is a PyTorch file, damaged or not: a torch zip archive (torch >= 1.6) or a
    legacy pickle. A zip cut short before it names a record counts: it is the only zip jaxart reads."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
        except zipfile.BadZipFile:  # truncated: no central directory, but the first record's header
            names = [_first_record(head)]
        return any(n is None or _TORCH_RECORD.fullmatch(n) for n in names)
    return head[:1] == bytes([_PICKLE_PROTO])


def _gist(e: Exception) -> str:
    """torch.load's error in a short phrase: the unpickler's own words amid torch's advice, else the
    first sentence."""
    text = str(e)
    found = re.search(r"WeightsUnpickler error:\s*(.+)", text)
    gist = found[1] if found else re.split(r"(?<=\w)\. ", " ".join(text.split()), maxsplit=1)[0]
    return gist[:120] or type(e).__name__


def _inflated_bytes(path: str | os.PathLike) -> int:
    """What the compressed records of a zip declare they inflate to; 0 for anything else (torch.load says
    what it is). torch.save stores records as they are, so a stored one is no larger than the file, and a
    training checkpoint's optimizer state may add up to more than the model's."""
    try:
        with zipfile.ZipFile(path) as z:
            return sum(item.file_size for item in z.infolist() if item.compress_type != zipfile.ZIP_STORED)
    except (zipfile.BadZipFile, OSError):
        return 0


def _damaged(path: str | os.PathLike, e: Exception) -> WeightsFileError:
    return WeightsFileError(f"{path} is a damaged or truncated PyTorch file ({_gist(e)}); download it again")


def _array(path: str | os.PathLike, key: str, tensor) -> np.ndarray:
    """A tensor as NumPy: floating point as float32 (NumPy has no bfloat16), other dtypes as they are."""
    if tensor.numel() > _MOST:
        raise WeightsFileError(f"{path}: {key} declares a tensor of shape {tuple(tensor.shape)}, larger than any VGG "
                               "layer's; the file is damaged or forged, so download it again")
    try:
        t = tensor.detach()
        return t.float().numpy() if t.is_floating_point() else t.resolve_conj().numpy()
    except (TypeError, RuntimeError) as e:  # quantized or sparse tensors
        raise WeightsFileError(f"{path}: {key} is a {tensor.dtype} tensor that NumPy cannot hold ({e}); save the "
                               "model's plain float32 state_dict()") from None


def load_state_dict(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The tensors of a `.pth` state dict as NumPy arrays (float32 if floating), read with weights_only=True.

    Raises:
      WeightsError: torch is not installed, the pickle holds anything but tensors and containers
        (it would run code if fully unpickled), or the file is damaged or truncated, or declares
        tensors larger than any VGG's (refused before torch allocates them).
    """
    try:
        import torch
    except ImportError:
        raise WeightsError(
            f"reading {path} (a PyTorch .pth file) needs torch; run `pip install 'jaxart[torch]'`"
        ) from None
    if (size := _inflated_bytes(path)) > _MOST_BYTES:
        raise WeightsFileError(f"{path} declares {amount(size)} of compressed tensors, more than any VGG "
                               "state dict holds; the file is damaged or forged, so download it again")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "Detected pickle protocol 49": the error below says it better
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as e:
            if not (found := _CODE.search(str(e))):
                raise _damaged(path, e) from None
            detail = f"it calls {found[1]}" if found[1] else _gist(e)
            raise WeightsFileError(
                f"refused {path}: its pickle holds code or objects, not just tensors ({detail}); jaxart never "
                "fully unpickles a file, so save the model's state_dict() with torch.save and convert that"
            ) from None
        except (FileNotFoundError, PermissionError, IsADirectoryError) as e:
            raise WeightsFileError(f"cannot read {path} ({e.strerror or e}); give a readable weights file") from None
        except Exception as e:  # noqa: BLE001 - damaged bytes make torch.load raise struct.error, IndexError, EINVAL...
            raise _damaged(path, e) from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise WeightsFileError(f"{path} holds {given(state)}, not a state dict; save model.state_dict()")
    return {k: _array(path, k, v) for k, v in state.items() if isinstance(k, str) and torch.is_tensor(v)}


def conv_indices(state: dict[str, np.ndarray]) -> list[int]:
    """The `features.N` indices that hold convolution kernels, ascending: every weight but batch norm's 1-D
    scales, so a kernel of the wrong rank (flattened, say) is named by its layer, not dropped from the count."""
    found = {int(m[1]) for k in state if (m := _FEATURE.fullmatch(k)) and m[2] == "weight" and state[k].ndim != 1}
    return sorted(found)


def _convolutions(n: int) -> str:
    return f"{n} convolution{'s' * (n != 1)}"


def read_pth(path: str | os.PathLike, arch: str | None = None) -> tuple[str, dict]:
    """Convolution parameters of a torchvision VGG16/19 state dict; the classifier is dropped.

    Args:
      path: a `.pth` file with keys `features.N.weight` (Cout, Cin, 3, 3) and `features.N.bias`.
      arch: "vgg16" or "vgg19", or None to infer it from the number of convolutions.

    Returns:
      (arch, {"conv1_1": {"kernel": (3, 3, Cin, Cout) float32, "bias": (Cout,) float32}, ...}); a
      tensor that is not floating point keeps its dtype, for `layouts.check_values` to refuse.
    """
    state = load_state_dict(path)
    # Running statistics mark batch norm, but a BatchNorm2d made with track_running_stats=False keeps
    # none: its 1-D scales (features.N.weight) do, which would otherwise be dropped without a word.
    batch_norm = [k for k in state if (m := _FEATURE.fullmatch(k))
                  and (m[2] == "running_mean" or m[2] == "weight" and state[k].ndim == 1)]
    if batch_norm:
        raise WeightsFileError(f"{path} is a batch-norm VGG (vgg16_bn/vgg19_bn); convert the plain vgg16 or vgg19")
    indices = conv_indices(state)
    depth = {13: "vgg16", 16: "vgg19"}
    if not indices:
        raise WeightsFileError(f"{path} has no features.N.weight convolutions; it is not a torchvision VGG state dict")
    if arch is None:
        if len(indices) not in depth:
            raise WeightsFileError(f"{path} has {_convolutions(len(indices))}; a VGG16 has 13 and a VGG19 16")
        arch = depth[len(indices)]
    names = conv_names(arch)
    if len(indices) != len(names):
        raise WeightsFileError(
            f"{path} has {_convolutions(len(indices))}, but {arch} has {len(names)}; it is a "
            f"{depth.get(len(indices), 'different network')}, so give that --arch"
        )
    prefix = "module." if any(k.startswith("module.") for k in state) else ""
    params, cin = {}, 3
    for name, index in zip(names, indices):
        cout = CHANNELS[int(name[4]) - 1]
        kernel = state[f"{prefix}features.{index}.weight"]
        bias = state.get(f"{prefix}features.{index}.bias")
        if kernel.shape != (cout, cin, 3, 3) or bias is None or bias.shape != (cout,):
            got = [kernel.shape, None if bias is None else bias.shape]
            raise WeightsFileError(
                f"{path}: features.{index} ({name}) has shapes {got}, but {arch} needs "
                f"({cout}, {cin}, 3, 3) and ({cout},); the file is not a torchvision {arch}"
            )
        # torch's OIHW kernel, as a cross-correlation like lax.conv's, becomes HWIO.
        params[name] = {"kernel": np.ascontiguousarray(kernel.transpose(2, 3, 1, 0)), "bias": bias}
        cin = cout
    return arch, params
