"""The weights a `--model` names: the path a run records, the file its timings are kept by, its architecture, known
before any weights load, and the set loaded, "auto" trying vgg19 once before it takes vgg16-hed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from jaxart import paths, weights
from jaxart.byte_sizes import amount
from jaxart.errors import InputError, WeightsError

if TYPE_CHECKING:  # a hint only: jaxart.vgg imports flax, which a dry run needs not
    from jaxart.vgg import Weights


def named(model: str) -> str:
    """`model` as a run records it and `--resume` reads it back: a file's path absolute, `~` expanded and links
    resolved, so that it names the same file from any folder; "auto" and a weight set's name as given."""
    return str(paths.resolved(Path(model).expanduser())) if weights.is_path(model) else model


def timing_key(model: str, loaded: str | None = None) -> str | None:
    """The weights file `model` loads, as timings are kept and looked up by it (duration.py): a path `named`, a
    name its file in the weights folder (`--model vgg16-hed` and that file's path are one set; the same name in
    another JAXART_WEIGHTS_DIR may be another), "auto" `loaded`'s (the set it loaded), or before any loaded
    vgg19's where installed; None where it cannot be told (vgg19 not installed: a run would try to download it,
    else fall back to vgg16-hed)."""
    if model == "auto":
        if loaded is None and not weights.is_installed("vgg19"):
            return None
        model = loaded or "vgg19"
    return named(model) if weights.is_path(model) else str(paths.resolved(weights.path_for(model)))


def timing_keys(model: str) -> dict[str, str]:
    """{each set a run of `model` may load: its `timing_key`}, before any loaded (for a dry run): `model`'s own, or
    for "auto" before vgg19 is installed both it may take: vgg19 (once downloaded) and, should that fail,
    vgg16-hed (`resolve_model`)."""
    if model == "auto" and not weights.is_installed("vgg19"):
        return {name: timing_key(name) for name in ("vgg19", "vgg16-hed")}
    return {model: timing_key(model)}


def model_arch(model: str) -> str:
    """The architecture `model` will have, known before any weights load ("auto" -> vgg19); a registered set's installed
    file that holds another is refused now, as it would be as it loads (`weights.check_registered_arch`)."""
    if model == "auto":
        return "vgg19"
    if weights.is_path(model):
        path = Path(model)
    elif model in weights.SOURCES:
        if not weights.is_installed(model):  # downloaded as the run starts
            return weights.SOURCES[model].arch
        path = weights.path_for(model)
    else:
        path = weights.path_for(model)
        if not weights.is_installed(model):
            raise InputError(weights.unknown_model(model))
    paths.check_path(path, "weights file")  # a link loop, a name too long: is_file() said "does not exist"
    if not path.is_file():
        there = paths.not_a_file(path) or paths.absent(path)
        raise InputError(f"weights file {path} {there}; give the path of a .safetensors file `weights convert` wrote")
    arch = weights.store.read_metadata(path).get("arch")
    weights.check_registered_arch(model, arch)
    return arch or "vgg19"


# How long "auto" tries to download vgg19 before it takes vgg16-hed: one attempt, this many seconds
# to connect and for each read, and as long below 1 KB/s. Behind a firewall that drops packets,
# fetch's own 3 x 30 s cost every offline run 98 s of silence, and a server that trickled held it
# for as long as it trickled; `jaxart weights fetch vgg19` is patient.
PROBE_TIMEOUT = 10.0


def resolve_model(model: str, fetch: Callable[..., object], warn: Callable[[str], None]) -> Weights:
    """Load `model`; "auto" means vgg19 if installed or downloadable (one short attempt), else
    vgg16-hed with a warning. `fetch(name, **options)` takes `weights.fetch`'s timeout and attempts."""
    if model != "auto":
        if not weights.is_path(model):
            fetch(model)
        return weights.load_weights(model, download=False)
    try:
        fetch("vgg19", timeout=PROBE_TIMEOUT, attempts=1, speed=weights.Speed(window=PROBE_TIMEOUT))
        return weights.load_weights("vgg19", download=False)
    except WeightsError as e:
        why = str(e).split(";")[0]
    try:  # warn only once the fallback is in hand: a failure is then one line, naming both causes
        fetch("vgg16-hed")
        w = weights.load_weights("vgg16-hed", download=False)
    except WeightsError as e:
        if str(e).split(";")[0] == why:  # the same cause for both (say, the weights folder)
            raise
        raise type(e)(f"neither vgg19 ({why}) nor vgg16-hed ({e}) is available") from None
    warn(f"vgg19 weights unavailable ({why}); using vgg16-hed (--model vgg16-hed skips this try)")
    return w


def first_download(model: str) -> str | None:
    """What a run of `model` would download before it starts, from the weights folder alone (nothing loaded or
    fetched; for a dry run): "vgg19 is not installed, so a run would first download it (76 MiB)". None: nothing."""
    def size(name: str) -> str:
        return amount(weights.SOURCES[name].size)

    if model == "auto" and not weights.is_installed("vgg19"):
        hed = ("take the installed vgg16-hed" if weights.is_installed("vgg16-hed")
               else f"download vgg16-hed ({size('vgg16-hed')})")
        return f"vgg19 is not installed, so a run would first try to download it ({size('vgg19')}), else {hed}"
    if model in weights.SOURCES and not weights.is_path(model) and not weights.is_installed(model):
        return f"{model} is not installed, so a run would first download it ({size(model)})"
    return None
