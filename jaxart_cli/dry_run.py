"""What `--dry-run` says, stylize's and sweep's in one wording: the run, its memory, how long it would take (from
this machine's earlier runs, jaxart/duration.py), the files it would write or replace, the weights it would download
first; then that nothing ran."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

Read = Sequence[tuple[Path, tuple[int, int]]]  # the photo and paintings: each file, the (height, width) it decoded to


def line(run: str, need: int, writes: str, model: str, *, changes=(), free: int | None = None, held: int = 0,
         per_device: bool = False, timing: str | None = None) -> str:
    """"dry run: RUN, about 1.7 GiB[ a device][ of 20.1 GiB free][; TIMING]; would write WRITES[ (CHANGES)]; [what a
    run would download first; ]nothing ran", `need`, `free` and `held` in bytes, `changes` phrases such as "replacing
    out.png", `timing` `duration.estimated`'s. `held`: what of `need` the process holds already (`memory.taken_off`),
    said as the check compares (`memory.fits`): "about 1.0 GiB, 400 MiB of it held already: 600 MiB more of 700 MiB
    free", where adding it to the free figure read "about 1.0 GiB of 1.1 GiB free", a peak beyond the memory free."""
    from jaxart import model_choice
    from jaxart.byte_sizes import amount

    of_free = "" if free is None else f" of {amount(free)} free"
    if free is not None and held:
        of_free = f", {amount(held)} of it held already: {amount(max(need - held, 0))} more{of_free}"
    memory = f"about {amount(need)}{' a device' * per_device}{of_free}"
    changed = f" ({', '.join(changes)})" if changes else ""
    fetch = model_choice.first_download(model)
    timed = f"; {timing}" if timing else ""
    return f"dry run: {run}, {memory}{timed}; would write {writes}{changed}; {f'{fetch}; ' if fetch else ''}nothing ran"


def memory_figure(need: int, read: Read, per_device: bool = False, init: str | Path | None = None) -> int:
    """The dry run's memory figure: `need` (`memory.check`'s, made once the files are decoded, which a run checks
    too) or, where more, decoding the files `read` (`decode_memory.decoding_bytes`), which a run does before anything
    else, or an `--init` image file (`decode_memory.init_peak`), which it decodes once they are held and the weights
    loaded, as it decodes a transparent photo again (`decode_memory.alpha_peak`): on the host, so only where the run
    is on the host too and `need` is not per device."""
    from jaxart import decode_memory, devices

    if per_device or not read or devices.platform() != "cpu":
        return need
    figure = max(need, decode_memory.decoding_bytes([(shape, decode_memory.pixel_bytes(p)) for p, shape in read]))
    shapes = [s for _, s in read]
    return max(figure, decode_memory.init_peak(init, shapes)[1], decode_memory.alpha_peak(read[0][0], shapes)[1])


def stylize_line(config, photo: tuple[int, int], output: Path, fmt: str, need: int, free: int, model: str, *,
                 held: int = 0, save_every: int = 0, animation: Path | None = None, checkpoint_every: int = 0,
                 overwrite: bool = False, tolerance: float = 0.0, resumed: tuple[Path, dict] | None = None,
                 read: Read = ()) -> str:
    """`line` for a stylize run of `config` on a photo of `photo` = (height, width) as read: "dry run: 768x576 px,
    45 steps (384 px then 768 px), about 1.7 GiB of 20.1 GiB free; would write out.png and out.gif (replacing
    out.png); nothing ran". `resumed`: the checkpoint `--resume` continues and its metadata, which make it "dry run:
    would resume out.ckpt.npz from step 20 of 45 (...), 768x576 px, ...; 25 steps left, about 3 min (...); would
    write out.png (replacing out.png, removing out.ckpt.npz once the image is written); nothing ran". `read`: the
    photo and paintings, whose decoding `memory_figure` counts; `held` as `line`'s."""
    from jaxart import destinations, duration, frames, scales
    from jaxart.errors import joined
    from jaxart.image import fit
    from jaxart.resume import frames_after
    from jaxart_cli.common import warn

    height, width = fit(photo, config.size)
    schedule, total = scales.schedule(config), scales.total_steps(config)
    sizes = f" ({' then '.join(f'{s} px' for s, _ in schedule)})" if len(schedule) > 1 else ""
    after = resumed[1]["step"] if resumed else 0
    plan = destinations.changes(output, fmt, total, save_every=save_every, animation=animation,
                                checkpoint_every=checkpoint_every, overwrite=overwrite, resumed=resumed)
    writes = frames.written(output, fmt, total, total, save_every, animation, plan.checkpoint,
                            after=frames_after(resumed and resumed[1], output))
    replaced = [str(p) for p in plan.replaced]
    if n := plan.frames_replaced:
        replaced.append(f"{n} frame{'s' * (n != 1)}")
    removed = plan.frames_removed
    changes = ([f"replacing {joined(replaced)}"] if replaced else []) + (
        [f"removing {removed} frame{'s' * (removed != 1)} of an earlier run"] if removed else [])
    # A new run's --checkpoint-every checkpoint lasts only until then too (job.stylize_files); where it replaces one
    # there (--overwrite), that file is named once, as `sweep_line` names it.
    gone = [f"removing {p}" for p in removals(plan.removed_after)]
    if plan.checkpoint:
        gone.append("and removing its own" if plan.checkpoint in plan.replaced else f"removing {plan.checkpoint}")
    changes += [f"{g} once the image is written" for g in gone]
    run = (f"would resume {resumed[0]} from step {after} of {total}{sizes}, {width}x{height} px" if resumed
           else f"{width}x{height} px, {total} step{'s' * (total != 1)}{sizes}")
    return line(run, memory_figure(need, read, init=config.init), writes, model, changes=changes, free=free, held=held,
                timing=duration.estimated(config, model, warn=warn, tolerance=tolerance, after=after))


def sweep_line(cmd, need: int, resumed: tuple[Path, int] | None = None, read: Read = ()) -> str:
    """`line` for the sweep `cmd` (a `sweep_job.Command`), its tiles as its summary names them: "dry run: 6 settings
    for each of 2 paintings, 64 px, 10 steps, about 1.1 GiB; would write g.png, g.html and 12 images (replacing 10
    files, removing 4 of an earlier sweep); nothing ran". `resumed`: the checkpoint that `--resume` continues and its
    step; `read` as `stylize_line`'s."""
    from jaxart import destinations, devices, duration, scales, settings, sheet, timings
    from jaxart.errors import joined
    from jaxart_cli.common import warn

    output, n, config = cmd.output, len(cmd.settings), cmd.config
    files, total = sheet.outputs(output, n, cmd.fmt), scales.total_steps(config)
    replaced = sum(map(os.path.lexists, files))
    removed = len(sheet.stale_tiles(output, n, cmd.fmt)) if cmd.overwrite else 0
    # A new sweep's --checkpoint-every checkpoint, removed once the files are placed, as stylize's once its image is.
    kept = [p for p in [destinations.running_checkpoint(output, cmd.checkpoint_every, total, bool(resumed))] if p]
    checkpoints = _checkpoint_change(output, cmd.overwrite, resumed)
    if kept and checkpoints:  # not resumed, so the one there now is at kept's path: named once, with both
        checkpoints[-1] += ", and removing its own once they are placed"
    elif kept:
        checkpoints.append(f"removing {kept[0]} once they are placed")
    changes = ([f"replacing {replaced} file{'s' * (replaced != 1)}"] * bool(replaced)
               + [f"removing {removed} of an earlier sweep"] * bool(removed) + checkpoints)
    run = f"the sweep in {resumed[0]} from step {resumed[1]} of {total}, " if resumed else ""
    per_device = devices.local_device_count() > 1
    return line(f"{run}{settings.described(cmd.settings)}, {config.size} px, {total} steps",
                memory_figure(need, read, per_device, config.init),
                joined([str(files[0]), str(files[1]), f"{n} image{'s' * (n != 1)}", *map(str, kept)]), cmd.model,
                changes=changes, per_device=per_device,
                timing=duration.estimated(config, cmd.model, warn=warn, rows=timings.rows(n), tolerance=cmd.tolerance,
                                          after=resumed[1] if resumed else 0, swept=True))


def removals(paths: list[Path]) -> list[str]:
    """`paths`, the checkpoints a resumed run removes once done, as its dry run names them: a symbolic link among
    them whose file is not one of them is "the link LINK.npz (not its file, kept.npz)", which alone goes, as `rm`
    removes a link (checkpoint.remove_if_holding)."""
    files = {p.resolve() for p in paths if not p.is_symlink()}
    return [f"the link {p} (not its file, {os.readlink(p)})" if p.is_symlink() and p.resolve() not in files else str(p)
            for p in paths]


def _checkpoint_change(output: Path, overwrite: bool, resumed: tuple[Path, int] | None) -> list[str]:
    """What the sweep does to the checkpoints there now (`sweep_job.removed`): the one `--resume` continues is
    removed once the files are placed, with the one beside the output, and so is an interrupted one that
    `--overwrite` gives up."""
    from jaxart import checkpoint, sweep_job

    gone = sweep_job.removed(output, overwrite, resumed and resumed[0])
    if resumed:  # the one beside the output first, where it is there and --resume named another
        read = gone[0]
        beside = [p for p in gone[1:] if os.path.lexists(p) and os.path.abspath(p) != os.path.abspath(read)]
        return [f"removing {p} once they are placed" for p in removals([*beside, read])]
    if not gone or not gone[0].is_file():  # a folder of that name is refused with the outputs
        return []
    meta = checkpoint.read_meta(gone[0]) or {}
    if meta.get("kind") == "sweep":  # of its own steps, not this sweep's
        of = "" if (steps := checkpoint.total_steps(meta)) is None else f" of {steps}"
        return [f"discarding the interrupted sweep in {gone[0]}, at step {meta.get('step')}{of}"]
    return [f"discarding the interrupted stylize run's checkpoint {gone[0]}"]
