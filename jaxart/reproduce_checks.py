"""Why the command `reproduce.command` prints may not make the same image again, each said in one line
(`jaxart info --command` warns with them): an input gone or changed, other weights under the name or
at the path, a sweep tile or an interrupted run, a sweep's batch split over another number of devices here, --conv
auto choosing another precision here, and another commit of jaxart, jax or CPU running the command."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from jaxart import checkpoint, convs, devices, layers, margin, photo_size, provenance, record_paths, reproduce, weights
from jaxart.config import INITS
from jaxart.errors import WeightsError


def changed_inputs(record: dict) -> str | None:
    """One line naming each file the command reads that is gone, or whose sha256 differs from the
    record's (the command would not make the same image); None if all are as recorded."""
    if record_paths.LEFT_OUT in record:  # named by role, not where they are: `record_paths.note` says so
        return None
    config, (content, styles) = reproduce.config_of(record), reproduce.inputs_of(record)
    files = [content, *styles, *(p for p in (config.mask, _model_file(record)) if p)]
    if config.init not in INITS:
        files.append(config.init)
    recorded = record.get("input_sha256") if isinstance(record.get("input_sha256"), dict) else {}
    problems = []
    for f in dict.fromkeys(files):
        if not os.path.isfile(f):
            problems.append(f"{f} is gone")
        elif f in recorded and checkpoint.digest(f) != recorded[f]:
            problems.append(f"{f} has changed since the run (its sha256 differs from the record's)")
    return f"{'; '.join(problems)}: the command will not make the same image" if problems else None


def changed_weights(record: dict) -> str | None:
    """One line when the weights the command names are not the run's here: another file under the
    name or at the path, a registered set the command must download first, or a name this machine
    neither registers nor has installed; None if they are the recorded ones (or nothing says)."""
    path, name = _model_file(record), record.get("model")
    if path is not None:
        if not os.path.isfile(path):
            return None  # changed_inputs names it gone
        where = path
    elif not isinstance(name, str) or name == "auto":
        return None
    elif weights.path_for(name).is_file():
        path = weights.path_for(name)
        where = f"the installed {name} ({path})"
    elif name in weights.SOURCES:
        return (f"{name} is not installed here: the command downloads it first "
                f"(`jaxart weights fetch {name}` does so now)")
    else:  # a name installed on the run's machine, or a --model file's inside name (before "model_path")
        digest = record.get("weights_sha256")
        held = f" (sha256 {digest[:12]}...)" if isinstance(digest, str) and digest else ""
        return (f"weights {name!r} are neither registered nor installed here (the run's --model file, or a name "
                f"installed where it ran): give that .safetensors file{held} to --model in place of {name}, or "
                f"copy it to {weights.path_for(name)}")
    content, sha256 = record.get("weights_content_sha256"), record.get("weights_sha256")
    try:
        same = weights.store.matches(Path(path), content_sha256=content if isinstance(content, str) else "",
                                     sha256=sha256 if isinstance(sha256, str) else "")
    except WeightsError as e:
        return f"{e}; the command will fail on it"
    if same is False:
        return f"{where} holds other weights than the run's (a hash differs from the record's): " \
               "the command will not make the same image"
    return None


def _model_file(record: dict) -> str | None:
    """The --model file the command names: a finished run's "model_path", an interrupted one's "model"."""
    path = record.get("model_path") or record.get("model")
    return path if isinstance(path, str) and weights.is_path(path) else None


def caveats(record: dict, shape: tuple[int, int] | None = None) -> list[str]:
    """Why the command's image may differ from this one though every input is as recorded.
    `shape`, the image's (height, width), lets it tell whether --conv auto computes here as it did."""
    notes = []
    if "sheet" in record:
        grows = ("L-BFGS amplifies it" if reproduce.config_of(record).optimizer == "lbfgs"
                 else "each Adam step carries it on")
        stop = "; --tolerance may then stop it at another step" if record.get("tolerance") else ""
        notes.append(f"this is a tile of sweep {record['sheet']}; stylize runs it alone, which gives close but not "
                     f"identical pixels (a batched run rounds differently, and {grows}){stop}")
    if "tiles" in record and (here := devices.other_split(ran := record.get("devices"))) is not None:
        notes.append(f"this sweep ran its batch over {ran} device{'s' * (ran != 1)}, here JAX has {here}: the command "
                     "splits it otherwise, which rounds otherwise, so its tiles will be close to these, not the same")
    if "interrupted" in record:
        runs = "until it converges or its last step" if record.get("tolerance") else "every step"
        notes.append(f"this run was interrupted at step {record.get('step', '?')}; the command runs {runs} "
                     f"({_resume_note(record)})")
    if (step := reproduce.frame_step(record)) is not None:
        notes.append(f"this is the frame at step {step} of the run that wrote {record['output']}; the command makes "
                     f"that run, which writes this frame again beside it (--save-every {record['save_every']})")
    if (note := _conv_here(record, shape)) is not None:
        notes.append(note)
    if (note := _made_here(record)) is not None:
        notes.append(note)
    return notes


def _made_here(record: dict) -> str | None:
    """A note when the record names the commit, jax or CPU that made it (`jaxart.provenance`) and this
    process differs: a change to the code, another jax or XLA's code for another CPU may move the pixels,
    and neither the version number nor the settings would say so."""
    told = provenance.differences(record, {"source": provenance.source(), "machine": provenance.machine()})
    if told is None:
        return None
    return f"this image was made with {told[0]}; here it is {told[1]}, which may give other pixels"


def _resume_note(record: dict) -> str:
    """How else the interrupted run of `record` goes on: by its checkpoint, while that is still beside the
    image it wrote and still its own; a resumed run that finished, to this output or another, removed it."""
    output = record.get("output")
    if not isinstance(output, str) or not output:
        return "`jaxart stylize --resume` continues its checkpoint, if kept, instead"
    path = checkpoint.path_for(output)
    meta = checkpoint.read_meta(path)
    if meta is not None and all(meta.get(k) == record.get(k) for k in ("output", "config", "inputs")):
        return f"`jaxart stylize --resume {shlex.quote(str(path))}` continues its checkpoint instead"
    return f"its checkpoint is no longer at {path}, so it cannot be resumed (a run resumed from it removes it " \
           "once finished)"


def _conv_here(record: dict, shape: tuple[int, int] | None) -> str | None:
    """A note when this machine would take the image gradient's Winograd products in another dtype.

    The command keeps --conv as given, not as resolved. "auto" chooses Winograd layer by layer (by
    channels and pixels) and bfloat16 products by the CPU's instructions; no other choice names that
    set of layers, so pinning "winograd" or "direct" would change more than it keeps. Winograd and
    XLA's own agree to ~1e-5, no closer than two CPUs' XLA code to each other, whereas bfloat16
    products move the gradient by up to 1.5%, which L-BFGS carries into visible pixels: that one
    difference is said, with the choice that avoids it where that choice is cheap here (pinning
    winograd-bf16 on a CPU without bfloat16 instructions would be emulated, slowly).
    """
    recorded = record.get("gradient_products")
    if shape is None or recorded not in ("float32", "bfloat16"):
        return None
    config = reproduce.config_of(record)
    seen = margin.padded_shape((*shape, 3), config.margin)
    here = convs.run_gradient(config.conv, layers.CHANNELS, seen, int(photo_size.deepest(config)[0][4]))
    if here == recorded:
        return None
    if recorded == "bfloat16":
        return ("this run took its image gradient's Winograd products in bfloat16 (--conv auto, on a CPU with "
                "bfloat16 instructions); here they are float32: close but not identical pixels")
    return ("this run took its image gradient's products in float32; here --conv auto takes them in bfloat16 "
            "(this CPU has bfloat16 instructions): add --conv winograd to keep them float32, as the run did")
