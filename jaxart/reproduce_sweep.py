"""The `jaxart sweep` command that makes a contact sheet again, read from its record (`jaxart info --command SHEET`).

The sheet's record holds what every tile shares (config, inputs, model) and the swept settings in grid
order; the command is the stylize command of the shared config (`reproduce.command`) run as a sweep, each
swept option given its values in the order they first appear, which `grid` turns back into that order, and
--each-painting where each tile painted with one of the paintings, in the order the record lists them.
"""

from __future__ import annotations

import os
from pathlib import Path

from jaxart import reproduce
from jaxart.errors import InputError
from jaxart.formats import SUFFIXES
from jaxart.output import written_format
from jaxart.settings import Setting, as_settings, grid

# Setting field -> its sweep option, stylize's (`reproduce.OPTIONS`); the settings override the config's, left out.
SWEPT = {k: reproduce.OPTIONS[k] for k in ("style_weight", "content_weight", "tv_weight", "seed", "style_scale",
                                           "style_layer_weights")}
_OWN = ("style_scale", "style_layer_weights")  # None keeps the config's: given only where the settings give them
# Besides them, stylize's options that the sweep gives otherwise (--size and --steps always, as a sweep's
# defaults are not stylize's; the tiles' --format below) or has not (--loop: a sweep steps one at a time).
_REDONE = {"--size", "--steps", "--format", "--loop"}


def tile(sheet: str | os.PathLike, record: dict) -> Path | None:
    """The sheet's first tile, where it still is beside the sheet: its format and shape are the sweep's."""
    tiles = record.get("tiles")
    first = Path(sheet).parent / tiles[0] if isinstance(tiles, list) and tiles and isinstance(tiles[0], str) else None
    return first if first is not None and first.is_file() else None


def command(record: dict, sheet: str | os.PathLike, output: str | os.PathLike | None = None) -> list[str]:
    """The argv (from "jaxart", "sweep") that writes the sheet `record` describes, `sheet`, again to
    `output` (default: `sheet`); the tiles beside `sheet` give their format.

    Raises:
      InputError: the record holds no settings, or settings that are not every combination of their
        values (a sweep of chosen settings from Python): no sweep option lists them, and each tile's
        `info --command` remakes that tile alone.
    """
    settings = _settings(record)
    config = reproduce.config_of(record)
    each = any(s.painting is not None for s in settings)
    values = {k: list(dict.fromkeys(getattr(s, k) for s in settings)) for k in SWEPT
              if k not in _OWN or any(getattr(s, k) is not None for s in settings)}
    own = {k: values.get(k) for k in _OWN}
    # --each-painting gives every painting given, in the order given: painting 0, 1, ...
    paintings = list(range(len((record.get("inputs") or {}).get("styles") or ()))) if each else None
    rebuilt = grid(*(values[k] for k in SWEPT if k not in _OWN), style_scales=own["style_scale"], paintings=paintings,
                   style_layer_weights=own["style_layer_weights"])
    if rebuilt != settings or any(None in (v or ()) for v in own.values()):  # some keep the config's, some give one
        raise InputError("this sweep's settings are not every combination of their values (a sweep of chosen "
                         "settings from Python), which no `jaxart sweep` options give; `info --command` on each "
                         "tile remakes that tile")
    shared = {k: v for k, v in record.items() if k not in ("tiles", "sweep")}
    dropped = {*(f for k, f in SWEPT.items() if k in values), *_REDONE}
    argv, given = ["jaxart", "sweep"], reproduce.command(shared, sheet if output is None else output)[2:]
    while given:
        word, *given = given
        if word in dropped:
            given = given[1:]  # its value
        else:
            argv.append(word)
    argv += ["--size", str(config.size), "--steps", reproduce.option_text(config.scale_steps or config.steps)]
    for k, vs in values.items():  # one value at stylize's default (a sweep's too) goes without saying
        if k in _OWN or vs != [getattr(reproduce.DEFAULT, k)]:
            argv += [SWEPT[k], ";".join(map(reproduce.option_text, vs)) if k == "style_layer_weights"
                     else reproduce.option_text(vs)]
    argv += ["--each-painting"] * each
    argv += ["--shrink-batch"] * (record.get("shrink_batch") is True)  # its running tiles rounded as a smaller batch
    fmt = _tile_format(sheet, record)
    if fmt != "png":
        argv += ["--format", fmt]
    if isinstance(record.get("columns"), int):
        argv += ["--columns", str(record["columns"])]
    return argv


def _tile_format(sheet: str | os.PathLike, record: dict) -> str:
    """The tiles' format: the sheet's record's, else (an older record's) the first tile's, else its name's. A png16
    tile is named .png as an 8-bit one is, so a sheet kept or moved without its tiles gave 8-bit tiles again."""
    if isinstance(record.get("tile_format"), str) and record["tile_format"] in SUFFIXES:
        return record["tile_format"]
    first = tile(sheet, record)
    named = record["tiles"][0] if isinstance(record["tiles"], list) and record["tiles"] else ""  # an edited record's
    return written_format(first) if first else "tiff" if str(named).endswith(".tif") else "png"


def _settings(record: dict) -> list[Setting]:
    """The record's swept settings, in grid order, or an InputError saying why it holds none."""
    try:
        settings = list(as_settings([Setting(**s) for s in record["sweep"]]))  # JSON's lists of layer weights: tuples
    except KeyError:  # a bare KeyError says "('sweep')", a TypeError Python's words for Setting(**...)
        settings, why = [], " (it has no field sweep)"
    except TypeError:
        settings, why = [], " (its field sweep is not a list of jaxart's settings)"
    except InputError as e:
        settings, why = [], f" ({e})"
    else:
        why = ""
    if not settings:
        raise InputError(f"the sheet's record holds no readable sweep settings{why}; it was edited or damaged, so "
                         "no command can be made from it; `info --command` on a tile remakes that tile")
    return settings
