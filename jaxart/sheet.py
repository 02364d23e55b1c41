"""A sweep's files: the contact sheet PNG (sheet_draw.py draws it), one image per setting with its
run record, and an HTML page (page.py), each checked before any work (sheet_files.py) and written all or nothing.

`write(path, ...)` puts `path` (the sheet), `path.stem-NN.png` (each image with its full run
record; `.tif` for fmt="tiff") and `path.with_suffix(".html")` side by side; every file is
written atomically.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from jaxart import locks, page, plateau
from jaxart.captions import as_given, describe, held, labels, painting_name, painting_names, text as _text
from jaxart.config import StyleConfig
from jaxart.files import all_or_nothing, replacing
from jaxart.output import save_image
from jaxart.transparency import with_alpha
from jaxart.record_paths import shared
from jaxart.run_record import one_painting
from jaxart.settings import Setting
from jaxart.sheet_draw import GAP, MAX_WIDTH, columns_for, contact_sheet, whole
from jaxart.sheet_files import TILE_SUFFIXES, check_not_others, check_outputs, outputs, stale_tiles, tile_paths

# The drawing from sheet_draw.py and the files' names and checks from sheet_files.py too.
__all__ = ["FAILED", "GAP", "MAX_WIDTH", "TILE_SUFFIXES", "check_not_others", "check_outputs", "columns_for",
           "contact_sheet", "describe", "held", "labels", "nonfinite", "outputs", "stale_tiles", "tile_paths", "write"]

FAILED = "the loss became NaN or inf; this is the last finite image"  # a failed tile's record


def nonfinite(path: Path, settings: Sequence[Setting], ok: Sequence[bool], fmt: str = "png",
              paintings: Sequence[str] = (), seeded: bool = True, optimizer: str = "lbfgs",
              overflowed: Sequence[bool] = ()) -> str | None:
    """What the command line tells the user when some settings' losses became NaN or inf (None when none did): each
    failed tile by file name and setting (a painting by its name), as indices mean nothing to a user; its seed
    only where it is `seeded` (a random start: from the photo or an image a seed changes nothing, as `labels`); and
    what helps: lower weights, and Adam's learning rate for the tiles whose state did not overflow (`overflowed`,
    `SweepResult.overflowed`: a learning rate does not change that), not L-BFGS's, which has none."""
    bad = [i for i, good in enumerate(ok) if not good]
    if not bad:
        return None
    tiles = tile_paths(Path(path), len(settings), fmt)
    keys = [k for k in Setting._fields if seeded or k != "seed"]
    named = "; ".join(f"{tiles[i].name} ({_text(settings[i], keys, paintings=paintings)})" for i in bad)
    over = [i for i in bad if i < len(overflowed) and overflowed[i]]
    rest = [tiles[i].name for i in bad if i not in over]  # Adam's: a smaller step may keep them finite
    advice = (" or --learning-rate" + f" for {', '.join(rest)}" * bool(over)) * (optimizer == "adam" and bool(rest))
    if over:
        advice += (f": Adam's state overflowed {'for ' + ', '.join(tiles[i].name for i in over) if rest else 'there'} "
                   "(a gradient too large to square in float32), which --learning-rate does not change")
    return (f"the loss became NaN or inf for {len(bad)} of {len(settings)} settings: {named}; each of those images "
            f"is its last finite one; lower their weights{advice}")


def write(
    path: str | os.PathLike, images: np.ndarray, settings: Sequence[Setting], config: StyleConfig,
    record: dict | None = None, columns: int | None = None, *, overwrite: bool = True,
    ok: Sequence[bool] | None = None, fmt: str = "png", stopped: Sequence[bool] | None = None,
    given: dict[str, str] | None = None, alpha: np.ndarray | None = None, record_mode: str = "full",
) -> list[Path]:
    """Write the contact sheet to `path`, each image beside it, and an HTML page listing them.

    Args:
      path: the sheet, a .png file.
      images: (N, H, W, 3) in [0, 1], one per setting.
      settings: the N settings; each image's full config is `settings[i].apply(config)` (a setting's
        painting: its tile's record names that one alone, `run_record.one_painting`).
      config: the configuration the settings override.
      record: extra run-record fields (model, inputs, ...); "loss" holds each term's (N,) values
        ("image_loss", where given, those of the images written: `SweepResult.image_terms`)
        and "steps" the (N,) steps each setting took (or one count for all), given to each tile;
        "seconds", the whole sweep's, kept by the sheet and by each tile as "sweep_seconds", its
        "seconds" its share (the sweep's over N).
      columns: tiles per row, kept however wide (default `columns_for(settings)`, each row split evenly
        into rows of at most `MAX_WIDTH` pixels, 1600).
      overwrite: replace existing files, and remove the single images of an earlier sweep to `path`
        that this one does not replace (`stale_tiles`: a larger one's, or another format's), so the
        folder holds one sweep; False keeps a file that appeared since the caller checked, and then
        writes nothing (`files.all_or_nothing`).
      ok: per setting, whether its loss stayed finite (default: all did). A failed one's image is
        its last finite one: its record says so in "error", and its label ends in "(failed)".
      fmt: the single images' format, as stylize's --format ("png", "png16" or "tiff"); the sheet an 8-bit PNG.
      stopped: per setting, whether the record's "tolerance" stopped it (`SweepResult.stopped`): its record
        says at which step, "stopped_at" (its "steps"), as a stylize run's does.
      given: the inputs' paths as the user gave them, by the record's (resolved) paths: the captions name these.
      alpha: a transparent photo's (H, W, 1) alpha (`transparency.photo_alpha`), which each tile written takes
        back; the sheet stays composited.
      record_mode: how much of their records the images carry (`record_paths.shared`: "full", "no-paths", "none").

    The sheet's record lists each tile's "loss", "image_loss", "steps", "stopped_at" and "error" (those its own
    record has) as "tile_results", in the order of its "tiles" and "sweep" (the settings).

    Returns:
      The files written (sheet, HTML, single images).

    Raises:
      InputError: another jaxart run, in another process or thread, writes `path` (or another file of its
        stem) now: `locks.writing(path)`, held while these files are written, refuses this one at once, and
        it writes and removes nothing. A caller holding that lock already (the CLI, from before its checks)
        keeps it.
    """
    path, record = Path(path), dict(record or {})
    losses, written = record.pop("loss", None), record.pop("image_loss", None)
    steps = np.broadcast_to(record.pop("steps"), len(settings)) if "steps" in record else None
    # The whole sweep's time, all tiles in one batch: a tile's own "seconds" is its share of it, as
    # stylize's is the run's; it was the whole, which `info TILE` showed as that one image's time.
    took = {} if "seconds" not in record else {"seconds": round(record["seconds"] / len(settings), 3),
                                                 "sweep_seconds": record["seconds"]}
    tiles = tile_paths(path, len(settings), fmt)
    configs = [s.apply(config).to_dict() for s in settings]
    said, as_said = as_given(record, config, given or {})  # what the captions name: the files as given
    rows, names, each = [], painting_names(said), any(s.painting is not None for s in settings)
    # A seed sets a random start only: from the photo or an image, "seed 0" under every tile named a setting that
    # changed nothing (the tiles' records keep it, as stylize's do).
    tile_labels, title = labels(settings, names, config.style_layers, seeded=config.init == "random")
    # A style scale the settings give is in the labels or title: the config's is not every tile's.
    swept = any(s.style_scale is not None for s in settings)
    shown = as_said.replace(style_scale=StyleConfig.style_scale) if swept else as_said
    header = "; ".join(t for t in (describe(said, as_said, each), held(shown, said)) if t)
    failed = [ok is not None and not ok[i] for i in range(len(settings))]
    # "(failed)", "(converged at step 20 of 40)": fields of their own on the sheet, not cut with a long painting's name.
    notes = plateau.converged_tiles(len(settings), steps, stopped, config)
    # Under a 64 px tile those words were cut to "(conv… 40)": the sheet says "(stopped at 40)" there, the page all.
    short = notes if all(whole(f"({c})", np.shape(images[0])[1]) for c in notes if c) else [
        c and f"stopped at {int(s)}" for c, s in zip(notes, steps)]
    drawn = [_marked(t, bad, c, "  ") for t, bad, c in zip(tile_labels, failed, short)]  # fields 2 spaces apart
    tile_labels = [_marked(t, bad, c, " ") for t, bad, c in zip(tile_labels, failed, notes)]
    # Held from before its first file is touched to after the last: another run to `path` (or its stem) is refused
    # at once, touching nothing; the CLI, which holds it from before its checks, keeps it.
    results = []  # each tile's outcome, in the sheet's record too: a sweep's results are read from one file
    with locks.writing(path, "output"):
        # All or nothing: a failed write (a full disk, Ctrl-C) leaves the folder as it was, an earlier sweep's included.
        with all_or_nothing(overwrite=overwrite) as stage:
            for i, (tile, cfg) in enumerate(zip(tiles, configs)):
                extra = {"loss": {k: float(v[i]) for k, v in losses.items()}} if losses else {}
                if written:  # the image written, as a stylize record has it (run_record.put_back), equal or not
                    extra["image_loss"] = {k: float(v[i]) for k, v in written.items()}
                extra.update({"steps": int(steps[i])} if steps is not None else {})
                if steps is not None and stopped is not None and stopped[i]:
                    extra["stopped_at"] = int(steps[i])
                tile_record = {**one_painting(record, settings[i].painting), "config": cfg, "seed": cfg["seed"],
                               "sheet": path.name, **took, **extra, **({"error": FAILED} if failed[i] else {})}
                save_image(stage(tile, "image"), with_alpha(images[i], alpha), shared(tile_record, record_mode), fmt)
                results.append({**extra, **({"error": FAILED} if failed[i] else {})})
                # A painting is an input, not a config field: named as its caption names it, not left to the label.
                painting = {} if settings[i].painting is None else {
                    "painting": painting_name(settings[i].painting, names)}
                rows.append((tile, tile_labels[i], {**cfg, **painting, **extra}))
            _write_text(stage(path.with_suffix(".html"), "page"), page.html(path, title, rows, header))
            sheet = contact_sheet(images, drawn, title, columns or columns_for(settings), header,
                                  widest=None if columns else MAX_WIDTH)
            sweep_record = {**record, **({"steps": int(steps.max())} if steps is not None else {}),
                            "config": config.to_dict(), "sweep": [_swept(s) for s in settings],
                            "tiles": [t.name for t in tiles], "tile_format": fmt,  # a moved sheet's command needs it
                            **({"tile_results": results} if any(results) else {}),
                            **({"columns": columns} if columns else {})}
            save_image(stage(path, "image"), np.asarray(sheet, np.float32) / 255.0, shared(sweep_record, record_mode),
                       "png")
        for old in stale_tiles(path, len(settings), fmt) if overwrite else ():
            old.unlink(missing_ok=True)
    return outputs(path, len(settings), fmt)


def _marked(label: str, failed: bool, note: str, sep: str) -> str:
    """A tile's label with its "(failed)" and its `note` ("converged at step 20 of 40"), if any, `sep` apart."""
    return sep.join([label, *["(failed)"] * failed, *[f"({note})"] * bool(note)])


def _swept(setting: Setting) -> dict:
    """A setting as the sheet's record lists it: a style scale or painting of None left out, as before."""
    return {k: v for k, v in setting._asdict().items() if v is not None}


def _write_text(path: Path, text: str) -> Path:
    # errors="replace": an input whose file name is not UTF-8 (its bytes kept as surrogates) is named
    # in the header; "?" stands for those bytes rather than the page failing after the whole sweep ran.
    with replacing(path, "page") as tmp, open(tmp, "x", encoding="utf-8", errors="replace") as f:
        f.write(text)  # 0666 less the umask
    return path
