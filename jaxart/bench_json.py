"""What `jaxart bench --json` writes: the suite's result as strict JSON, with each figure's unit."""

from __future__ import annotations

import json
import math
from pathlib import Path

from jaxart.errors import InputError
from jaxart.formats import check_named, spaced, suffixed

# What the JSON's figures count, by the part of the key named (also written into the file): a key is one of
# these, ends with one starting "_" (or has it followed by "_": "_s_"), starts with one ending "_" or with
# one and "_" (images_per_min_batched), or is named in a text here (conv_ratio_* for conv_ratio_winograd).
UNITS = {"_s": "seconds (keys ending in _s, or with _s_ in them)", "_mb": "MiB (2**20 bytes)", "gflop": "10**9 FLOPs",
         "gflops": "10**9 FLOPs per second", "faults_eval": "minor page faults per call (torch_faults_eval: "
         "PyTorch's)", "overhead_": "keys starting so: fraction of one evaluation's time", "ratio_": "keys starting "
         "so: jaxart time / PyTorch time; conv_ratio_*: that conv's time / the first conv's", "speedup": "sweep: "
         "one-by-one time / batched time (cpu_speedup: of CPU seconds, all threads)", "images_per_min": "sweep: "
         "images finished per minute, were each run run_steps long",
         "repeats_s": "each repeat's value of a median figure in seconds (per evaluation or step, as that figure), "
         "by its key", "all_": "sweep: each repeat's seconds per step of all its images (all_batched, all_single: "
         "step_s_batched and step_s_single are their medians)",
         "seconds": "time to quality: wall seconds until the loss first reached the target, compiling excluded",
         "target": "time to quality: a total loss (no unit), as final_loss", "size": "pixels: an image's long side "
         "(coarse_size: the coarse-to-fine run's half size)", "steps": "L-BFGS steps, one loss+gradient each (evals, "
         "coarse_steps: the same; run_steps: the length of a run images_per_min assumes)",
         "settings": "sweep: images in the batch (a count)", "repeats": "timed blocks behind each median (a count)",
         "matmul_peak_gflops": "10**9 FLOPs per second of a 2048x2048 matmul timed in the same run, by operand type "
         "(float32 sums): what a row's gflops is to be read against", "cpus": "machine: the CPU cores bench may run on "
         "(a count)", "load_average": "machine: runnable threads over the last 1, 5 and 15 minutes as bench started"}


def _finite(x):
    """`x` with every NaN or infinity (a figure XLA could not count) as None: JSON has no NaN."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


def check_name(path: Path) -> None:
    """Refuse a `--json` name that does not end in .json (`results.png`, a photo's path), as stylize refuses an
    --output whose suffix is not its format's: `--overwrite` would replace that image with text."""
    if why := spaced(str(path)):
        raise InputError(f"--json {why}")
    check_named(path, (".json",), what="--json", name="bench")
    if path.suffix.lower() != ".json":
        ends = f"ends in {path.suffix}" if path.suffix else "has no suffix"
        raise InputError(f"--json {path} {ends}; bench writes JSON: give a name ending in .json, such as "
                         f"{path.with_suffix('.json') if path.suffix else suffixed(path, '.json', 'bench')}")


def write_json(path: Path, result: dict, *, overwrite: bool = True) -> None:
    """`result` as strict JSON at `path`, atomically, as an output image is written; `overwrite`
    False keeps a file that appeared there meanwhile (see `files.replacing`)."""
    from jaxart.files import replacing

    with replacing(path, "results file", overwrite=overwrite) as tmp:  # creates the folder check left to now
        tmp.write_text(json.dumps(_finite({**result, "units": UNITS}), indent=2, allow_nan=False))
