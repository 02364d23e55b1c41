"""The loss in words: the progress bar's loss and terms, fitted into the columns its line leaves them, and the line a
run ends with, which weighs the terms as the total does."""

from __future__ import annotations

_SHORT = {"content": "c", "style": "s"}


def _loss_text(loss: float, terms: dict[str, float], compact: bool, name: str = "loss") -> str:
    """The bar's `loss 1.235 (content 0.439 style 0.0773 tv 0.0124)`, compact `... (c 0.44 s 0.077 tv 0.012)`."""
    names, digits = (_SHORT, 2) if compact else ({}, 3)
    parts = " ".join(f"{names.get(k, k)} {v:.{digits}g}" for k, v in terms.items())
    return f"{name} {loss:.4g}" + (f" ({parts})" if parts else "")


def fitted(room: int, loss: float, terms: dict[str, float], compact: bool, name: str, size: int | None,
           per_second: str, elapsed: int) -> tuple[str, str, bool]:
    """The loss text, the steps/s and whether the elapsed time shows, fitted into `room` columns (the line's, less
    the other columns'): whole loss terms are left out from the last, then the steps/s, the elapsed time (`elapsed`
    columns) and a coarse-to-fine run's `size`, where rich cut the text mid-way ("(c 0.44 s 0.07…", a bare "…")."""
    terms, shown = dict(terms), True
    while True:
        text = f"{size} px " * (size is not None) + _loss_text(loss, terms, compact, name)
        if len(text) + len(per_second) + elapsed * shown <= room:
            return text, per_second, shown
        if terms:
            terms.popitem()
        elif per_second:
            per_second = ""
        elif shown:
            shown = False
        elif size is not None:
            size = None
        else:
            return text, per_second, shown


def loss_sum(terms: dict[str, float], config, written: dict[str, float] | None = None) -> str:
    """`total 0.8513 = content 0.5057 + 10 x style 0.02126 + 10 x tv 0.0133`, the loss of the image written:
    the terms are unweighted, so listed bare beside the total they read as if content outweighed style 25
    to 1, not 2.4 to 1. Where the image's loss, `written`, differs from the optimizer's `terms` (a kept
    region or --colors keep/luminance put the photo or its chroma back), both, each labelled; where they
    differ only past the digits shown (--colors luminance alone: the chroma round trip moves the 8th), one."""
    def text(terms):
        parts = [f"{'' if (w := getattr(config, f'{k}_weight')) == 1 else f'{w:g} x '}{k} {terms[k]:.4g}"
                 for k in ("content", "style", "tv")]
        return f"total {terms['total']:.4g} = " + " + ".join(parts)
    if written is None or text(written) == text(terms):
        return text(terms)
    kept, chroma = bool(getattr(config, "keep_colors", None)), getattr(config, "colors", None) in ("keep", "luminance")
    back = ("the photo's chroma and, in the kept regions, the photo were" if kept and chroma
            else "the photo was" if kept else "the photo's chroma was")
    return f"image written: {text(written)}; optimized pixels, before {back} put back: total {terms['total']:.4g}"
