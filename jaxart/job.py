"""The job a user asks for: files in, an image with its run record out, checked before any work;
interrupted runs leave a checkpoint that `--resume` continues."""

from __future__ import annotations

import math
import os
import shlex
import signal
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from jaxart import animate, checkpoint, destinations, image, locks, moved_inputs, plateau, provenance, scales, transfer
from jaxart.transparency import photo_alpha, with_alpha
from jaxart.input_files import load_inputs
from jaxart.inputs import initial_image
from jaxart.config import StyleConfig
from jaxart.errors import Interrupted, NonFiniteLossError, OutputTakenError
from jaxart.frames import frame, stale_frames, written
from jaxart.output import save_image
from jaxart.resume import frames_after, taken_over
from jaxart.record_paths import shared
from jaxart.run_record import input_digests, record
from jaxart.signals import interrupted_by
from jaxart.vgg import Weights


def stylize_files(
    content: Path,
    styles: list[Path],
    output: Path,
    config: StyleConfig,
    w: Weights,
    *,
    save_every: int = 0,
    on_step: Callable[[int, float, dict], None] | None = None,
    fmt: str = "png",
    overwrite: bool = False,
    checkpoint_every: int = 0,
    stopped: Callable[[], int | None] | None = None,
    resume: checkpoint.Checkpoint | None = None,
    model: str | None = None,
    background: tuple[int, int, int] = image.WHITE,
    animation: Path | None = None,
    animation_overwrite: bool | None = None,
    frames: animate.Frames | None = None,
    inputs: tuple[np.ndarray, list[np.ndarray]] | None = None,
    asked_overwrite: bool | None = None,
    tolerance: float = 0.0,
    resumed_from: Path | None = None,
    words: Mapping[str, str] | None = None,
    record_mode: str = "full",
) -> transfer.Outcome:
    """Stylize image files into `output` (written atomically as `fmt`); frames every `save_every` steps.

    Every `checkpoint_every` steps, and when `stopped()` returns a signal number, the carry is
    checkpointed beside `output` (see `checkpoint.path_for`); on a signal the current image is
    written too and `errors.Interrupted` is raised. `resume` continues a checkpoint (made with
    these weights); `model` is how the checkpoint names the weights for `--resume`.
    `animation` (.gif or .webp) gets the starting pixels, a frame every `save_every` steps (else
    `animate.every`) and the result; a resumed run continues `frames`, those its checkpoint kept
    (`resume.frames`).
    `animation_overwrite` (default: `overwrite`) may replace an existing animation: a resumed run
    may replace its own image without replacing any other file. `inputs` are the files already
    decoded by `load_inputs`. `asked_overwrite` (default: `overwrite`) is whether the user passed
    --overwrite, which also removes an earlier run's frames of `output` (a resumed run's `overwrite`
    may be only its leave to replace its own files). On a non-finite loss the last finite image is written to `output`
    before re-raising, its record's "error" naming the settings as `words` does (`JaxartError.naming`; the CLI: its
    flags, the words its user reads the record in). A signal during the last step is answered once the image is written.
    `record_mode` (`record_paths.MODES`) is how much of the run record the image and frames carry: "no-paths" leaves
    out the files' paths, "none" writes none (an interrupted run's image keeps it whole: --resume knows it by it).
    `tolerance` (0: off) stops the run once its loss has converged (plateau.py): the outcome is `stopped`; one that can
    never stop it (`plateau.check_can_stop`) is an InputError.
    A transparent photo's alpha goes back into the image and frames written (`transparency`).
    `resumed_from`, the file `resume` was read from, is removed with OUTPUT.ckpt.npz once the image is written where
    that run's output is this one and the file still holds it: a renamed checkpoint stayed behind.
    It holds `locks.writing(output)` throughout, so no other jaxart run writes or removes these files
    meanwhile: a run to `output` (or another file of its stem) in another process or thread is an
    InputError at once, before this one touches any file. A caller that holds the lock already (the CLI,
    from before its own checks of these files) keeps it.
    """
    from jaxart import __version__

    with locks.writing(output, "output"):
        config.validate(w.arch, paintings=len(styles))
        tolerance = plateau.checked(tolerance, config)
        # The CLI's checks, for any caller: no file of this run replaces an input, a FIFO or another run's checkpoint.
        sources = [content, *styles, config.init, config.mask]
        destinations.check_not_input([output], sources)
        destinations.check_output(output, fmt, overwrite=overwrite)
        ckpt_path = checkpoint.path_for(output)
        # --overwrite, now or, for the same output, by the run this one resumes; the frames that run
        # wrote before it stopped are this run's own, and stay.
        same, asked, own = taken_over(resume.meta if resume is not None else None, output,
                                      overwrite if asked_overwrite is None else asked_overwrite)
        # The checkpoint there is this run's to replace if it is the one `resume` read (as `--resume` named it).
        ours = same or (resume is not None and os.path.isfile(ckpt_path)
                        and checkpoint.read_meta(ckpt_path) == resume.meta)
        destinations.check_beside(output, fmt, scales.total_steps(config), save_every, sources, overwrite=overwrite,
                                  after=resume.meta.get("step", 0) if resume else 0,
                                  resuming=ckpt_path if ours else None, checkpoint_every=checkpoint_every)
        animation_overwrite = overwrite if animation_overwrite is None else animation_overwrite
        if animation is not None:
            destinations.check_animation(animation, overwrite=animation_overwrite, inputs=sources)
        movie = frames if animation is not None else None
        if animation is not None and frames is None:
            movie = animate.Frames(animate.every(scales.total_steps(config), save_every))
        photo, paintings = inputs or load_inputs(content, styles, background, config)
        alpha = photo_alpha(content, photo, background, config.size)  # written back: a cut-out stays one
        if alpha is not None:
            alpha = image.resized(alpha, image.fit(photo.shape, scales.sizes(config)[-1]))
        if animation is not None and resume is None:
            # The animation opens on the start at the output's size, sharp: a coarse first scale starts
            # from that image made smaller. Noise exists only at the size the run drew it.
            side = scales.sizes(config)[0 if config.init == "random" else -1]
            movie.offer(0, initial_image(image.resized(photo, side), config, background))
        if resume is not None:
            checkpoint.check(resume, version=__version__, weights=w)
        inputs = {"content": str(content.resolve()), "styles": [str(s.resolve()) for s in styles],
                  "background": list(background)}
        meta = {"jaxart": __version__, "weights_sha256": w.sha256, "weights_content_sha256": w.content_sha256,
                "model": model or w.name, "seed": config.seed, "config": config.to_dict(), "inputs": inputs,
                "output": str(output.resolve()), "format": fmt,
                "save_every": save_every, "checkpoint_every": checkpoint_every,
                "animation": str(animation.resolve()) if animation else None,
                "input_sha256": input_digests(content, styles, config), "overwrite": asked,
                **({"tolerance": tolerance} if tolerance else {}),
                **({"record": record_mode} if record_mode != "full" else {})}  # --resume keeps it
        # What computed them, in a frame's and an interrupted image's record as in the finished one's (not the
        # checkpoint's): their `info --command` warns of another commit, jax or CPU as the image's does.
        made_by = provenance.made_by()
        # The tested losses, from the checkpoint this run continues: a test after it compares with one before.
        losses = {int(k): v for k, v in (resume.meta.get("losses") or {}).items()} if resume else {}
        # The seconds the run it continues had taken: a resumed run's record and summary give the whole run's.
        earlier = float(resume.meta.get("seconds", 0.0)) if resume else 0.0
        since = plateau.first_step(config)

        wrote: list[int] = []  # the steps this run checkpointed; until then, a checkpoint there is another run's

        def callback(p: transfer.Progress) -> None:
            if on_step:
                on_step(p.step, p.loss, p.terms)
            if movie is not None and p.step < p.steps:
                movie.offer(p.step, p.image)
            if save_every and p.step % save_every == 0 and p.step < p.steps:
                save_image(frame(output, p.step, fmt), with_alpha(p.image, alpha),
                           shared({**meta, **made_by, "step": p.step}, record_mode), fmt, overwrite=overwrite)
            if p.step == p.steps:
                return  # the finished image is written below, whatever arrives now
            if tolerance and plateau.tested(p.step, since):
                losses[p.step] = p.loss
                if plateau.converged(losses, p.step, tolerance):
                    return True  # before a signal's checkpoint: that run, resumed, would test this step no more
            signum = stopped() if stopped else None
            if signum or (checkpoint_every and p.step % checkpoint_every == 0):
                kept = {"frame_every": movie.every, "frame_steps": movie.steps} if movie is not None else {}
                if tolerance:  # those a later test compares with
                    kept["losses"] = {str(k): v for k, v in losses.items() if k > p.step - plateau.WINDOW}
                kept["seconds"] = earlier + time.perf_counter() - start
                if resume is not None and (moved := moved_inputs.kept(resume.meta)):  # its image may be the one before
                    kept["moved_inputs"] = moved
                checkpoint.save(ckpt_path, p.carry, {**meta, **kept, "step": p.step}, movie.images if movie else (),
                                overwrite=overwrite or ours or bool(wrote))
                wrote.append(p.step)
            if signum:
                name = signal.Signals(signum).name
                save_image(output, with_alpha(p.image, alpha), {**meta, **made_by, "step": p.step, "interrupted": name},
                           fmt, overwrite=overwrite)
                files = written(output, fmt, p.step, p.steps, save_every, checkpoint=f"checkpoint {ckpt_path}",
                                after=frames_after(resume and resume.meta, output))  # where its frames so far are
                raise Interrupted(f"{interrupted_by(signum)} at step {p.step} of {p.steps}; wrote {files}; continue "
                                  f"with: jaxart stylize --resume {shlex.quote(str(ckpt_path))}", 128 + signum)

        every = math.gcd(save_every, checkpoint_every, movie.every if movie is not None else 0,
                         plateau.WINDOW if tolerance else 0)
        start = time.perf_counter()
        try:
            outcome = transfer.run(photo, paintings, weights=w, config=config, callback=callback, every=every or None,
                                   resume=resume, background=background)
        except NonFiniteLossError as e:
            failed = transfer.Outcome(e.image, {}, e.step, earlier + time.perf_counter() - start)
            made = record(config, w, failed, inputs, meta["input_sha256"], model, tolerance)
            said = {**made, "error": e.naming(words or {})}
            save_image(output, with_alpha(e.image, alpha), shared(said, record_mode), fmt, overwrite=overwrite)
            raise NonFiniteLossError(f"{e}; wrote it to {output}", e.image, e.step, e.settings) from None
        outcome = outcome._replace(seconds=earlier + outcome.seconds)
        try:
            made = record(config, w, outcome, inputs, meta["input_sha256"], model, tolerance)
            save_image(output, with_alpha(outcome.image, alpha), shared(made, record_mode), fmt, overwrite=overwrite)
        except OutputTakenError:  # finished, beside another run's image: this run's checkpoint must not stay beside it
            if wrote or same:
                ckpt_path.unlink(missing_ok=True)
            raise
        if animation is not None:
            animate.save_animation(animation, movie.images + [outcome.image], overwrite=animation_overwrite)
        if asked:  # an earlier run's frames, at steps this one did not write, would mix in
            for path in stale_frames(output, fmt, outcome.steps, save_every, own=own):
                path.unlink(missing_ok=True)
        if same and resumed_from is not None:  # first: a link to OUT.ckpt.npz holds it only until that goes
            checkpoint.remove_if_holding(resumed_from, resume.meta)
        if checkpoint_every or resume is not None or overwrite:  # the finished image supersedes the checkpoint:
            ckpt_path.unlink(missing_ok=True)  # this run's, or one that --overwrite let it replace
        if signum := stopped() if stopped else None:  # it came during the last step or the final loss
            files = written(output, fmt, outcome.steps, scales.total_steps(config), save_every, animation,
                            after=frames_after(resume and resume.meta, output))
            raise Interrupted(f"{interrupted_by(signum)} as the run finished; wrote {files} "
                              f"({outcome.steps} step{'s' * (outcome.steps != 1)})", 128 + signum)
        return outcome
