"""`jaxart stylize`: its options (its own declared in stylize_options.py), parsed and checked, then the run
(jaxart/job.py) and its summary."""

from __future__ import annotations

import functools
import time

import typer

from jaxart_cli import misread as _misread, options as _o, stylize_options as _so, summary as _summary
from jaxart_cli.common import (
    given as _given, said as _said, say as _say, start_jax_first as _start_jax_first, unused as _unused, warn as _warn,
)
from jaxart_cli.dry_run import stylize_line as _dry_line
from jaxart_cli.fetch import fetch as _fetch
from jaxart_cli.paths import absolute as _absolute
from jaxart.deferral import signals_deferred as _signals_deferred
from jaxart_cli.signals import run_begins as _run_begins
from jaxart_cli.values import (
    csv as _csv, parse_colour as _parse_colour, spaced_list as _spaced_list, interval as _interval,
)
from jaxart_cli.options import Colors, Conv, LineSearch, Optimizer, Pooling
from jaxart_cli.resume import loaded as _resumed
from jaxart import formats as _formats

_DEFAULT = _o.DEFAULT


def stylize(
    ctx: typer.Context,
    content: _o.Content = None,
    styles: _so.Styles = None,
    output: _so.Output = None,
    fmt: _o.FormatOption = None,
    overwrite: _so.Overwrite = False,
    resume: _so.Resume = None,
    checkpoint_every: _so.CheckpointEvery = 0,
    model: _so.Model = "auto",
    size: _so.Size = None,
    steps: _o.Steps = str(_DEFAULT.steps),
    seed: _so.Seed = _DEFAULT.seed,
    optimizer: _so.OptimizerOption = Optimizer(_DEFAULT.optimizer),
    linesearch: _o.LineSearchOption = LineSearch(_DEFAULT.linesearch),
    lbfgs_memory: _o.LbfgsMemory = _DEFAULT.lbfgs_memory,
    learning_rate: _o.LearningRate = _DEFAULT.learning_rate,
    init: _so.Init = _DEFAULT.init,
    content_weight: _so.ContentWeight = _DEFAULT.content_weight,
    style_weight: _so.StyleWeight = _DEFAULT.style_weight,
    tv_weight: _so.TvWeight = _DEFAULT.tv_weight,
    content_layers: _o.ContentLayers = None,
    style_layers: _o.StyleLayers = None,
    style_layer_weights: _o.StyleLayerWeights = None,
    style_blend: _so.StyleBlend = None,
    colors: _o.ColorsOption = Colors(_DEFAULT.colors),
    match_luminance: _o.MatchLuminance = _DEFAULT.match_luminance,
    style_scale: _o.StyleScale = _DEFAULT.style_scale,
    margin: _o.Margin = _DEFAULT.margin,
    scales: _o.Scales = None,
    start_size: _o.StartSize = None,
    mask: _o.Mask = None,
    region_style: _o.RegionStyle = None,
    tolerance: _o.Tolerance = 0.0,
    record: _o.RecordOption = _o.RecordMode("full"),
    pooling: _o.PoolingOption = Pooling(_DEFAULT.pooling),
    loop: _so.LoopOption = _so.Loop(_DEFAULT.loop),
    save_every: _so.SaveEvery = 0,
    remat: _o.Remat = _DEFAULT.remat,
    conv: _o.ConvOption = Conv(_DEFAULT.conv),
    animate: _so.Animate = None,
    background: _o.Background = "white",
    quiet: _o.Quiet = False,
    dry_run: _so.DryRun = False,
) -> None:
    """Paint CONTENT in the style of STYLES and write an image with its run record.

    Ctrl-C, SIGTERM or SIGHUP stops after the current step, writes the image and OUTPUT.ckpt.npz, and exits
    130 / 143 / 129; `stylize --resume OUTPUT.ckpt.npz` continues it to the same pixels.

    Compiled programs are kept in ~/.cache/jaxart/xla for later runs (JAXART_CACHE_DIR=off: not).
    """
    called = time.monotonic()  # the summary's "in all", and the start a dry run's estimate adds
    # No module here imports JAX: a dry run stops before the run's (job, coarse_to_fine, compile_cache) are imported.
    from jaxart import checkpoint, destinations, input_files, locks, mask_regions, model_choice, moved_inputs
    from jaxart import frames as _frames, notes as _notes, output_names, plateau, progress, resume as _resume
    from jaxart import duration, input_notes as _input_notes, memory as _memory, scales as _scales, sheet, signals
    from jaxart.config import StyleConfig

    _misread.check_file_read_as_value(ctx)  # `-out.png` as -o ut.png, where the paintings still add up
    _spaced_list(ctx, [content, *(styles or ())])  # `--scales 64 128`: 128 is no painting, with --resume too
    for value, flag in ((save_every, "--save-every"), (checkpoint_every, "--checkpoint-every")):
        _interval(value, flag)
    ckpt, rgb, own, frames = None, _parse_colour(background), False, None
    if resume is not None:
        ckpt, moved = moved_inputs.found(_resumed(ctx, resume, content), resume)  # inputs moved with it: read there
        if moved:
            _warn(moved_inputs.line(moved))
        ckpt, gone = _resume.relocated(ckpt, resume)  # moved with its folder: follow it
        if gone and output is None:
            _warn(f"{gone} is gone, so the run goes on beside its checkpoint: writing {ckpt.meta['output']}")
        checkpoint.check_kind(ckpt, resume, "stylize")  # a sweep's: `sweep --resume` continues it
        content, styles, model, config, rgb = _resume.from_checkpoint(ckpt)
        tolerance = ckpt.meta.get("tolerance", 0.0)  # stylize_files judges it, as the option's
        record = _o.RecordMode(ckpt.meta.get("record") or "full")  # fixed by the checkpoint, as its settings
        output = output or _resume.output_here(ckpt.meta["output"])  # as typed, if under this folder
        # Its own interrupted image, and its frames, are the run's: resuming may replace them.
        own, save_every, checkpoint_every, frames, animate = _resume.continuation(
            ckpt, output, animate, save_every if _given(ctx, "save_every") else None,
            checkpoint_every if _given(ctx, "checkpoint_every") else None, _warn)
    else:
        regions, styles = _o.regions(mask=mask, region_style=region_style, styles=styles)
        if content is None or not styles:
            raise typer.BadParameter(_o.NOTHING_TO_PAINT)
        config = StyleConfig(
            **_o.sizes(size=size, steps=steps, scales=scales, start_size=start_size, default_size=_DEFAULT.size),
            **regions,
            seed=seed, optimizer=optimizer.value, learning_rate=learning_rate, init=init,
            content_weight=content_weight, style_weight=style_weight, tv_weight=tv_weight, loop=loop.value,
            style_blend=_csv(style_blend, "--style-blend", float),
            **_o.fixed(content_layers=content_layers, style_layers=style_layers,
                       style_layer_weights=style_layer_weights, pooling=pooling, linesearch=linesearch,
                       lbfgs_memory=lbfgs_memory, colors=colors, match_luminance=match_luminance,
                       style_scale=style_scale, margin=margin, conv=conv, remat=remat),
        )
        input_files.check_small(config, content, rgb)  # the least size that works for this photo, not just 16
        config.validate()
        _o.check_together(config, styles, tolerance)  # a resumed run's were judged when it began
        for note in _unused(ctx, config):
            _warn(note)
    fmt = _formats.choose_format(fmt and fmt.value, output, ckpt.meta["format"] if ckpt else "png")
    if ckpt is not None and not _given(ctx, "output"):
        _formats.check_recorded(output, fmt)
    output = output or output_names.default_output(content, styles, fmt)
    sources = [content, *styles, config.init, config.mask]  # stylize_files checks again; here, before weights load

    def check_outputs() -> None:
        destinations.check_not_input([output], [*sources, resume])
        destinations.check_output(output, fmt, overwrite=overwrite or own, resumable=resume is None)
        sheet.check_not_others(output)  # --overwrite or not: a sweep's page would show this run's image as its tile
        destinations.check_beside(output, fmt, _scales.total_steps(config), save_every, sources,
                                  overwrite=overwrite or own, after=ckpt.meta["step"] if ckpt else 0, resuming=resume)
        if animate is not None:
            destinations.check_animation(animate, overwrite=overwrite, inputs=[*sources, resume])
    _start_jax_first(dry_run, check_outputs)
    with _signals_deferred():  # a signal as the lock is taken is answered once ctx will release it
        ctx.with_resource(locks.writing(output))  # before its files are looked at; held until the command ends
    check_outputs()
    photo, paintings = input_files.load_inputs(content, styles, rgb, config)
    if ckpt is not None:  # an edited size: refused before the warnings about it
        _resume.resumed_scale(config, photo.shape, ckpt)
    # The mask readable, its colours present, the photo's aspect: before any weights load.
    mask_size = None if config.mask is None else mask_regions.mask_size(config, photo.shape, len(styles))
    arch = model_choice.model_arch(model)  # a file's from its header, read once
    config.validate(arch, paintings=len(styles))
    # Will it fit? Before any weights load.
    free, held = _memory.available_bytes(), _memory.held_bytes([x.shape[:2] for x in (photo, *paintings)])
    need = _memory.check(config, arch, photo.shape[:2], [p.shape[:2] for p in paintings], available=free,
                         mask=mask_size, held=held, content=content)
    mixing = (None if overwrite or resume
              else _frames.mixing_note(output, fmt, _scales.total_steps(config), save_every))
    for note in (_notes.upsampling_note(photo, config.size, config),
                 _notes.init_note(photo, config.init if resume else init),
                 _notes.style_scale_note(paintings, config), _notes.start_size_note(config), mixing,
                 _notes.frames_note(save_every, _scales.total_steps(config)),
                 _notes.checkpoint_note(checkpoint_every, _scales.total_steps(config)),
                 _notes.background_note(background, content, styles, config.init) if _given(ctx, "background")
                 else None,
                 _input_notes.repeated_painting_note(styles, paintings, config),
                 _input_notes.photo_as_painting_note(content, styles, config),
                 *_input_notes.enlarged_painting_notes(styles, paintings, config),
                 *_input_notes.framed_painting_notes(styles, paintings, config),
                 _input_notes.dark_photo_note(photo, config)):
        if note:
            _warn(note)
    if dry_run:
        if ckpt is not None:  # the run's refusal once its weights load, here from their file's header
            _resume.check_weights_file(ckpt)
        _say(_dry_line(config, photo.shape[:2], output, fmt, need, free, model, held=_memory.taken_off(held),
                       save_every=save_every, animation=animate, checkpoint_every=checkpoint_every, overwrite=overwrite,
                       tolerance=tolerance, resumed=(resume, ckpt.meta) if ckpt else None,
                       read=[(f, x.shape[:2]) for f, x in zip([content, *styles], [photo, *paintings])]))
        return
    from jaxart import compile_cache, job

    w = model_choice.resolve_model(model, functools.partial(_fetch, quiet=quiet), _warn)
    config.validate(w.arch)
    if note := _notes.random_init_note(w, config):
        _warn(note)
    if ckpt is not None:
        checkpoint.check(ckpt, weights=w)
    # As typed until here, for the lines before; absolute in the record and checkpoint, found from any folder.
    config, model = _absolute(config), model_choice.named(model)
    with compile_cache.use(_warn), signals.stop_signals() as stopped, \
            duration.timed(_scales.schedule(config), model=model, loaded=w.name, step=duration.settings(config),
                          tolerance=tolerance, warn=_warn, finish=duration.finish(config), started=called,
                          # a resumed run's estimate would be the whole run's
                          say=None if quiet or ckpt is not None else _said("stylize")) as watch, \
            progress.steps_bar(_scales.total_steps(config), quiet, scales=_scales.schedule(config), conv=config.conv,
                               margin=config.margin, finish=duration.finish(config)) as bar:
        # Here, within stop_signals: a signal until now ends the command with nothing written (before, the compile
        # cache's set-up in between was a bare 'error: interrupted'); from here the run's handler keeps it.
        _run_begins(ctx)
        on_step = watch.also(bar)
        outcome = job.stylize_files(content, styles, output, config, w, save_every=save_every, on_step=on_step,
                                    fmt=fmt, overwrite=overwrite or own, checkpoint_every=checkpoint_every,
                                    stopped=stopped, resume=ckpt, model=w.name if model == "auto" else model,
                                    background=rgb, animation=animate, animation_overwrite=overwrite, frames=frames,
                                    inputs=(photo, paintings), asked_overwrite=overwrite, tolerance=tolerance,
                                    resumed_from=resume, words=_o.FLAGS, record_mode=record.value)
        # The bar showed each step's loss before its update; it ends on the optimizer's final one.
        on_step(outcome.steps, outcome.terms["total"], {k: v for k, v in outcome.terms.items() if k != "total"})
    if not quiet:
        steps_text = plateau.steps_text(outcome.steps, _scales.total_steps(config), outcome.stopped)
        losses = progress.loss_sum(outcome.terms, config, outcome.image_terms)
        files = _frames.written(output, fmt, outcome.steps, _scales.total_steps(config), save_every, animate,
                                after=_resume.frames_after(ckpt and ckpt.meta, output))
        seconds = _summary.seconds_text(outcome.seconds, time.monotonic() - called, ckpt)
        _say(f"wrote {files} ({w.name}, {steps_text}, {seconds}; {losses})")

