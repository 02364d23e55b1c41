"""What a sweep's sheet and page say: each tile's swept values, the title of those all tiles share,
what was painted with what, and the settings the sweep held fixed."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

from jaxart import scales
from jaxart.config import IGNORES, INITS, StyleConfig
from jaxart.errors import as_typed, joined
from jaxart.image import WHITE
from jaxart.settings import Setting

NAMES = {"style_weight": "style", "content_weight": "content", "tv_weight": "tv", "seed": "seed",
         "style_scale": "style scale", "painting": "painting", "style_layer_weights": "layers"}
# Not named by `held`: the swept values (the labels and title name them), the blend and region
# mask (`describe` names them, with each region's painting), and the loop and chunk, which a sweep
# does not use (it takes one batched step at a time).
# The style scale and layer weights are named by `held` where the settings leave them to the config (None),
# as before they were swept.
_UNNAMED = (*(k for k in Setting._fields if k not in ("style_scale", "style_layer_weights")), "style_blend", "mask",
            "region_colors", "keep_colors", "loop", "chunk")
_ALWAYS = ("size", "steps")  # a sheet says at what size and after how many steps, default or not


def labels(settings: Sequence[Setting], paintings: Sequence[str] = (),
           layers: Sequence[str] = (), seeded: bool = True) -> tuple[list[str], str]:
    """Per-tile labels naming the settings that vary, and a title naming those that do not (a style
    scale of None, the config's, is left to `held`); a painting by its name in `paintings`, layer
    weights by the config's style `layers` they weigh (`layer_text`). Without `seeded` (a start from the
    photo or an image, where the seed changes nothing) a seed every tile shares is not named."""
    varying = [k for k in Setting._fields if len({getattr(s, k) for s in settings}) > 1]
    fixed = [k for k in Setting._fields if k not in varying and getattr(settings[0], k) is not None
             and (seeded or k != "seed")]
    shared = text(settings[0], fixed, paintings, layers)
    return ([text(s, varying, paintings, layers) or shared for s in settings],
            f"all tiles: {shared}" if varying and fixed else "")


def text(setting: Setting, keys: Sequence[str] = Setting._fields, paintings: Sequence[str] = (),
         layers: Sequence[str] = ()) -> str:
    """`setting`'s values of `keys` (but None), as a label names them: "style 10  seed 0"; its painting
    by its name in `paintings` (`painting_names`), else by its index: "style 10  painting starry"; its
    layer weights as `layer_text` of `layers` says them: "style 10  layers relu5_1"."""
    def value(k):
        v = getattr(setting, k)
        return (str(painting_name(v, paintings)) if k == "painting"
                else layer_text(v, layers) if k == "style_layer_weights" else number(v))

    return "  ".join(f"{NAMES[k]} {value(k)}" for k in keys if getattr(setting, k) is not None)


def layer_text(weights: Sequence[float], layers: Sequence[str] = ()) -> str:
    """Style layer weights as a label says them: the layers that are on where they weigh alike
    ("relu5_1", "relu1_1,relu2_1"; "all" where every one is on), else the weights ("1,0.5,0,0,0"),
    as where the `layers` they weigh are not known."""
    on = [name for name, w in zip(layers, weights) if w]
    if len(layers) != len(weights) or len({w for w in weights if w}) != 1:
        return ",".join(map(number, weights))
    return "all" if len(on) == len(layers) > 1 else ",".join(on)


def as_given(record: dict, config: StyleConfig, given: dict[str, str]) -> tuple[dict, StyleConfig]:
    """`record` and `config` as captions name their files: each input path among `given`'s keys (resolved, as the
    record keeps it, so that `info --command` finds it from any folder) by its value, the path the user gave (a link by
    its own name: "in the style of my-link.jpg", not its target's, a name the user never typed)."""
    inputs, say = dict(record.get("inputs") or {}), lambda p: given.get(str(p), p)
    inputs |= {"content": say(inputs["content"])} if "content" in inputs else {}
    inputs |= {"styles": [say(s) for s in inputs["styles"]]} if inputs.get("styles") else {}
    mask = None if config.mask is None else say(config.mask)
    return {**record, "inputs": inputs} if inputs else record, config.replace(init=say(config.init), mask=mask)


def painting_names(record: dict) -> list[str]:
    """The paintings of a record's "inputs" as a label names them (`file_names`)."""
    return file_names((record.get("inputs") or {}).get("styles") or ())


def file_names(paths: Sequence[str | os.PathLike]) -> list[str]:
    """Paintings' paths as a label names them: by file stem, or where two share one (a/starry.jpg, b/starry.png) by
    file name, or else by path."""
    paths = [str(p) for p in paths]
    for name in (lambda p: Path(p).stem, lambda p: Path(p).name, str):
        if len(set(names := [name(p) for p in paths])) == len(names):
            return names
    return paths


def painting_name(index: int, paintings: Sequence[str]) -> str | int:
    """A setting's painting by its name in `paintings` (`painting_names`), else (no names known) by its index."""
    return paintings[index] if 0 <= index < len(paintings) else index


def number(v: float) -> str:
    """One format for every value, `errors.as_typed`'s (shortest `:g`, 1e-5 not 1e-05), as a refusal echoes it;
    seeds as whole numbers."""
    return as_typed(v)


def describe(record: dict, config: StyleConfig, each: bool = False) -> str:
    """What a sweep painted with what: "photo.jpg in the style of a.jpg and b.jpg (blended
    equally), model vgg19", with `each` "... of a.jpg and b.jpg (one painting per tile) ...", or with
    a region mask "photo.jpg in the style of a.jpg (red) and b.jpg (blue) by the regions of mask.png,
    model vgg19" (", the photo kept in green" before the model where a region keeps it), from a run
    record's "inputs" and "model"; "" without them."""
    inputs = record.get("inputs") or {}
    if "content" not in inputs or not inputs.get("styles"):
        return ""
    names = [Path(p).name for p in inputs["styles"]]
    regions = config.mask is not None and len(config.region_colors or ()) == len(names)
    if regions:
        names = [f"{name} ({colour})" for name, colour in zip(names, config.region_colors)]
    paintings = joined(names)
    blend = config.style_blend
    if regions:
        paintings += f" by the regions of {Path(config.mask).name}"
        paintings += f", the photo kept in {' and '.join(config.keep_colors)}" if config.keep_colors else ""
    elif each and len(names) > 1:
        paintings += " (one painting per tile)"
    elif len(names) > 1:
        paintings += (" (blended equally)" if blend is None or len(set(blend)) == 1
                      else f" (blended {':'.join(map(number, blend))})")
    model = f", model {record['model']}" if record.get("model") else ""
    return f"{Path(inputs['content']).name} in the style of {paintings}{model}"


def held(config: StyleConfig, record: dict | None = None) -> str:
    """The settings every tile shares besides its swept values, named as their options are:
    "size 256, steps 200, colors luminance, style-layers relu1_1,relu2_1" (coarse to fine: "size 256,
    steps 50,20, scales 128,256"). Size and steps always, the others where they differ from
    `StyleConfig`'s defaults, but those the optimizer ignores (`config.IGNORES`); an --init image by
    its file name, the record's "tolerance" where it has one, "shrink-batch" where it asked for it (and whether the
    batch shrank), and its "inputs" "background" where it is not white."""
    default, named = StyleConfig(), []
    for field in dataclasses.fields(config):
        k, v = field.name, getattr(config, field.name)
        if k in _UNNAMED or k == "scale_steps" or (k not in _ALWAYS and v == getattr(default, k)):
            continue
        if k in IGNORES.get(config.optimizer, ()):  # as `info --command` leaves it out
            continue
        if k == "steps":  # one count per scale where coarse to fine has them, as --steps gives them
            v = config.scale_steps or v
        if isinstance(v, bool):
            named.append(k.replace("_", "-") if v else f"no-{k.replace('_', '-')}")
            continue
        shown = (",".join(map(_value, v)) if isinstance(v, tuple)
                 else Path(v).name if k == "init" and v not in INITS else _value(v))
        named.append(f"{k.replace('_', '-')} {shown}")
    if tolerance := (record or {}).get("tolerance"):  # each tile's steps are on the page
        named.append(f"tolerance {_value(tolerance)}")
    if (record or {}).get("shrink_batch") is True:  # the running tiles rounded as a smaller batch
        named.append(f"shrink-batch{_shrank(record.get('shrank'), len(scales.sizes(config)) > 1)}")
    background = ((record or {}).get("inputs") or {}).get("background")
    if background is not None and tuple(background) != WHITE:
        named.append(f"background {','.join(map(str, background))}")
    return ", ".join(named)


def _shrank(shrank, scaled: bool = False) -> str:
    """Whether a --shrink-batch sweep's batch shrank, from its record's "shrank" (`SweepResult.shrank`):
    " (shrank to a batch of 2 after step 30)", " (did not shrink)"; coarse to fine (`scaled`), at which scale,
    as each starts with the whole batch: " (shrank to a batch of 2 after step 40 at 128 px, 1 after step 70
    at 256 px)". "" for a record without it (an older jaxart's, or edited); an older jaxart's [step, rows]
    names no scale."""
    if not isinstance(shrank, list) or not all(isinstance(at, list) and len(at) in (2, 3) for at in shrank):
        return ""
    if not shrank:
        return " (did not shrink)"
    at = [f"{at[1]} after step {at[0]}{f' at {at[2]} px' if scaled and len(at) == 3 else ''}" for at in shrank]
    return f" (shrank to a batch of {', '.join(at)})"


def _value(v) -> str:
    return number(v) if isinstance(v, (int, float)) else str(v)
