"""`jaxart sweep`: its options (its own declared in sweep_options.py), parsed and checked, then the batched runs
(jaxart/sweep.py) and the sheet written."""

from __future__ import annotations

import functools
import time
from pathlib import Path

import typer

from jaxart_cli import misread as _misread, options as _o, summary as _summary, sweep_options as _so
from jaxart_cli.common import (
    given as _given, said as _said, say as _say, start_jax_first as _start_jax_first, unused as _unused, warn as _warn,
)
from jaxart_cli.dry_run import sweep_line as _dry_line
from jaxart_cli.fetch import fetch as _fetch
from jaxart_cli.paths import absolute as _absolute, as_given as _as_given
from jaxart.deferral import signals_deferred as _signals_deferred
from jaxart_cli.signals import run_begins as _run_begins
from jaxart_cli.values import (
    LISTS as _LISTS, SWEPT as _SWEPT, csv as _csv, parse_colour as _parse_colour, spaced_list as _spaced_list,
    interval as _interval)
from jaxart_cli.options import Colors, Conv, LineSearch, Optimizer, Pooling
from jaxart_cli.resume import resumed_sweep as _resumed_sweep
from jaxart_cli.sweep_options import SIZE as _SIZE
from jaxart_cli.sweep_values import layer_weights as _layer_weights, listed as _listed, once as _once

_DEFAULT = _o.DEFAULT


def sweep(
    ctx: typer.Context,
    content: _o.Content = None,
    styles: _so.Styles = None,
    output: _so.Output = Path("sweep.png"),
    fmt: _o.TileFormat = _o.Format("png"),
    style_weight: _so.StyleWeights = None,
    content_weight: _so.ContentWeights = None,
    tv_weight: _so.TvWeights = None,
    seed: _so.Seeds = None,
    model: _so.Model = "auto",
    size: _so.Size = None,
    steps: _o.Steps = "200",
    scales: _o.Scales = None,
    start_size: _o.StartSize = None,
    optimizer: _so.OptimizerOption = Optimizer(_DEFAULT.optimizer),
    linesearch: _o.LineSearchOption = LineSearch(_DEFAULT.linesearch),
    lbfgs_memory: _o.LbfgsMemory = _DEFAULT.lbfgs_memory,
    learning_rate: _o.LearningRate = _DEFAULT.learning_rate,
    init: _so.Init = _DEFAULT.init,
    content_layers: _o.ContentLayers = None,
    style_layers: _o.StyleLayers = None,
    style_layer_weights: _so.StyleLayerWeightSets = None,
    style_blend: _so.StyleBlend = None,
    each_painting: _so.EachPainting = False,
    colors: _o.ColorsOption = Colors(_DEFAULT.colors),
    match_luminance: _o.MatchLuminance = _DEFAULT.match_luminance,
    style_scale: _so.StyleScales = None,
    margin: _o.Margin = _DEFAULT.margin,
    mask: _o.Mask = None,
    region_style: _o.RegionStyle = None,
    pooling: _o.PoolingOption = Pooling(_DEFAULT.pooling),
    conv: _o.ConvOption = Conv(_DEFAULT.conv),
    remat: _o.Remat = _DEFAULT.remat,
    tolerance: _o.SweepTolerance = 0.0,
    shrink_batch: _so.ShrinkBatch = False,
    background: _o.Background = "white",
    columns: _so.Columns = None,
    overwrite: _so.Overwrite = False,
    resume: _so.Resume = None,
    checkpoint_every: _so.CheckpointEvery = 0,
    quiet: _o.Quiet = False,
    record: _o.RecordOption = _o.RecordMode("full"),
    dry_run: _so.DryRun = False,
) -> None:
    """Stylize CONTENT for every combination of the weights, seeds, style scales and (with --each-painting)
    paintings; write a labelled contact sheet, single images and an HTML page.

    All settings run as one batched program, split over all local devices; the other options hold for every tile,
    as they would for `jaxart stylize`. Ctrl-C, SIGTERM or SIGHUP keeps the sweep in GRID.ckpt.npz (no tiles or sheet
    written) and exits 130 / 143 / 129; `sweep --resume GRID.ckpt.npz` continues it to the same files.
    """
    called = time.monotonic()  # the start a dry run's estimate adds, kept by the run's timing as stylize's is
    # No module here imports JAX: a dry run stops before the run's (compile_cache, duration) are imported.
    from jaxart import captions, input_files, locks, mask_regions, model_choice, notes as _notes
    from jaxart import plateau, progress, scales as _scales, settings as _settings, sheet, signals, sweep_checks
    from jaxart import input_notes as _input_notes, memory, resume as _resume, sweep_job
    from jaxart.errors import Interrupted, JaxartError, NonFiniteLossError
    from jaxart.config import StyleConfig

    _misread.check_file_read_as_value(ctx)  # `-out.png` as -o ut.png, as stylize's
    _spaced_list(ctx, [content, *(styles or ())], _LISTS + _SWEPT)  # `--style-weight 1 10 100`: 10 is no painting
    _interval(checkpoint_every, "--checkpoint-every")
    ckpt, hashed = None, {}
    if resume is not None:
        cmd, ckpt = _resumed_sweep(ctx, resume, content, overwrite, checkpoint_every)
        each_painting = any(s.painting is not None for s in cmd.settings)
        painted = sorted({s.apply(cmd.config).style_scale for s in cmd.settings})
        init, mask = cmd.config.init, cmd.config.mask
    else:
        regions, styles = _o.regions(mask=mask, region_style=region_style, styles=styles)
        if content is None:
            raise typer.BadParameter(_o.NOTHING_TO_PAINT)
        if not styles:
            raise typer.BadParameter("give at least one STYLE painting, or --mask with a --region-style "
                                     "COLOUR=PAINTING for each of its colours", param_hint="STYLE")
        values = {flag: _listed(texts, flag, default, cast) for flag, texts, default, cast in (
            ("--style-weight", style_weight, _DEFAULT.style_weight, float),
            ("--content-weight", content_weight, _DEFAULT.content_weight, float),
            ("--tv-weight", tv_weight, _DEFAULT.tv_weight, float), ("--seed", seed, _DEFAULT.seed, int),
            ("--style-scale", style_scale, _DEFAULT.style_scale, float))}
        for (flag, vs), texts in zip(values.items(), (style_weight, content_weight, tv_weight, seed, style_scale)):
            _once(flag, vs, texts)
        *swept, painted = values.values()  # one style scale is the config's, as before it was swept (no batch axis)
        fixed = _o.fixed(content_layers=content_layers, style_layers=style_layers, style_layer_weights=None,
                         pooling=pooling, linesearch=linesearch, lbfgs_memory=lbfgs_memory, colors=colors,
                         match_luminance=match_luminance, style_scale=painted[0], margin=margin, conv=conv, remat=remat)
        # One alternative alone is the config's, as before they were swept.
        weighed = _layer_weights(style_layer_weights, fixed["style_layers"], swept[0])
        settings = _settings.grid(*swept, style_scales=painted if len(painted) > 1 else None,
                                  paintings=range(len(styles)) if each_painting else None,
                                  style_layer_weights=weighed if len(weighed) > 1 else None)
        if columns is not None and columns < 1:
            raise typer.BadParameter("must be 1 or more", param_hint="--columns")
        rgb = _parse_colour(background)
        config = StyleConfig(
            **_o.sizes(size=size, steps=steps, scales=scales, start_size=start_size, default_size=_SIZE),
            optimizer=optimizer.value, learning_rate=learning_rate, init=init,
            **regions, style_blend=_csv(style_blend, "--style-blend", float),
            **{**fixed, "style_layer_weights": weighed[0] if len(weighed) == 1 else None})
        input_files.check_small(config, content, rgb)  # the least size that works for this photo, not just 16
        sweep_checks.check(config, settings, paintings=len(styles), names=captions.file_names(styles))
        settings[0].apply(config).validate(paintings=len(styles))  # its weights are the run's, not the config's
        _o.check_together(config, styles, tolerance)
        hashed = sweep_checks.check_distinct(styles) if each_painting else {}  # the record's, not read again
        top = config.replace(style_weight=max(swept[0]), content_weight=max(swept[1]))  # all 0: no tile takes it
        for note in _unused(ctx, top, len(styles), len(settings)):
            _warn(note)
        cmd = sweep_job.Command(content, styles, output, fmt.value, config, settings, model, rgb,
                                tolerance, shrink_batch, columns, overwrite, checkpoint_every, record.value)
    content, styles, output, config, settings, rgb = cmd[:3] + cmd[4:6] + (cmd.background,)

    def check_outputs() -> None:
        sheet.check_outputs(output, len(settings), cmd.fmt, overwrite=cmd.overwrite,
                            inputs=[content, *styles, init, mask, resume])
        if ckpt is None:  # an interrupted sweep to this sheet is continued with --resume, or given up with --overwrite
            sweep_job.check_checkpoint(output, cmd.overwrite)
    _start_jax_first(dry_run, check_outputs)
    with _signals_deferred():  # a signal as the lock is taken is answered once ctx will release it
        # Before its files are looked at; held until the command ends. A resumed sweep's output is its checkpoint's.
        ctx.with_resource(locks.writing(output, "--output" if ckpt is None else None))
    check_outputs()
    photo, paintings = input_files.load_inputs(content, styles, rgb, config.replace(style_scale=max(painted)))
    # The mask readable, its colours present, the photo's aspect: before any weights load.
    mask_size = None if config.mask is None else mask_regions.mask_size(config, photo.shape, len(styles))
    # Refused first, as stylize does: a refused sweep gets one line, no warnings.
    arch, shapes = model_choice.model_arch(cmd.model), [x.shape[:2] for x in (photo, *paintings)]
    sweep_checks.check(config, settings, arch)  # then memory, at the largest painting's scale
    need = sweep_checks.check_memory(config.replace(style_scale=max(painted)), len(settings), arch, photo=shapes[0],
                                     paintings=shapes[1:], mask=mask_size, held=memory.held_bytes(shapes),
                                     own_grams=each_painting or len(painted) > 1, content=cmd.content)
    painter = config.replace(style_weight=max(s.style_weight for s in settings))  # all 0: no painting is read
    for note in (_notes.upsampling_note(photo, config.size, config), _notes.init_note(photo, init),  # as typed
                 _notes.style_scale_note(paintings, painter.replace(style_scale=min(painted))),
                 _notes.start_size_note(config),  # as stylize warns, of the smallest painting and the most enlarged
                 _notes.checkpoint_note(cmd.checkpoint_every, _scales.total_steps(config)),
                 _notes.background_note(background, content, styles, config.init) if _given(ctx, "background")
                 else None,
                 # as stylize's
                 None if each_painting else _input_notes.repeated_painting_note(styles, paintings, painter),
                 _input_notes.photo_as_painting_note(content, styles, painter, blended=not each_painting),
                 *_input_notes.enlarged_painting_notes(styles, paintings, painter.replace(style_scale=max(painted))),
                 *_input_notes.framed_painting_notes(styles, paintings, painter),
                 _input_notes.dark_photo_note(photo, painter)):
        if note:
            _warn(note)
    if dry_run:
        if ckpt is not None:  # the run's refusal once its weights load, here from their file's header, as stylize's
            _resume.check_weights_file(ckpt)
        _say(_dry_line(cmd, need, resumed=(resume, ckpt.meta["step"]) if ckpt else None,
                       read=[(f, x.shape[:2]) for f, x in zip([content, *styles], [photo, *paintings])]))
        return
    from jaxart import compile_cache, duration

    w = model_choice.resolve_model(cmd.model, functools.partial(_fetch, quiet=quiet), _warn)
    if note := _notes.random_init_note(w, config):
        _warn(note)
    # As typed until here, for the lines before; absolute in the record and checkpoint, found from any folder.
    cmd = cmd._replace(config=_absolute(config), model=model_choice.named(cmd.model))
    given = _as_given(config, cmd.config)  # the captions name them as typed
    # SIGINT, SIGTERM and SIGHUP are only recorded while the sweep runs and its files are placed: the
    # next step keeps its state in GRID.ckpt.npz and ends it with one line, and never half-writes the files.
    total = _scales.total_steps(config)  # over every scale, as stylize's bar counts
    with compile_cache.use(_warn), signals.stop_signals() as stopped, \
            duration.timed(_scales.schedule(config), model=cmd.model, loaded=w.name, tiles=len(settings),
                           step=duration.settings(config, swept=True), tolerance=cmd.tolerance,
                           warn=_warn, finish=duration.finish(config), started=called,  # none said when resumed
                           say=None if quiet or ckpt is not None else _said("sweep")) as watch, \
            progress.steps_bar(total, quiet, scales=_scales.schedule(config), label="sweep",
                               mean=len(settings) > 1, conv=config.conv, margin=config.margin,
                               finish=duration.finish(config)) as bar:
        # Here, within stop_signals: a signal until now ends the command with nothing written (before, the compile
        # cache's set-up in between was a bare 'error: interrupted'); from here the run's handler keeps it.
        _run_begins(ctx)
        result, files, _ = sweep_job.run(cmd, photo, paintings, w, stopped=stopped, update=watch.also(bar),
                                         hashed=hashed, resume=ckpt, resumed_from=resume, given=given)
    if signum := stopped():  # it came during the last step, the final loss or the writing
        raise Interrupted(f"{signals.interrupted_by(signum)} as the sweep finished; wrote {files[0]}, "
                          f"{files[1]} and {len(settings)} images", 128 + signum)
    failed = sheet.nonfinite(output, settings, result.ok, cmd.fmt, captions.file_names(styles),  # as typed
                             seeded=config.init == "random", optimizer=config.optimizer, overflowed=result.overflowed)
    if not quiet:
        try:
            _say(_summary.sweep_line(files, len(settings), w.name, _settings.described(settings), result.devices,
                                     plateau.tiles_text(result.steps, result.stopped, total), result.seconds))
        except JaxartError as e:  # stdout takes no more (`> /dev/full`): which tiles failed is said all the same
            if not failed:
                raise
            _say(f"error: {e}", err=True)
    if failed:
        raise NonFiniteLossError(failed)
