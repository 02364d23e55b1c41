"""A run record read as the run it describes, for `jaxart info --command`: its config and input paths, its settings
checked as stylize would (an edited or damaged record refused), and where it stopped. Pure: a record dict in."""

from __future__ import annotations

from jaxart import image, layers, plateau, region_styles, scales
from jaxart.config import INITS, StyleConfig
from jaxart.errors import InputError
from jaxart.palette import parse_colors


def config_of(record: dict) -> StyleConfig:
    """The record's `StyleConfig`, or an InputError saying why the record gives none."""
    d = record.get("config")
    if not isinstance(d, dict):
        raise InputError("the run record has no config, so no command can be made from it; `jaxart info` "
                         "without --command shows what it holds")
    if "margin" not in d:  # jaxart 0.1, before the field: its runs optimized the image alone, not in the default margin
        d = {**d, "margin": 0}
    try:
        return StyleConfig.from_dict(d)  # another field the record lacks (an older jaxart) takes its default
    except InputError as e:  # a field of the wrong type: not another version's, which the next message suspects
        raise InputError(f"the run record's {str(e).partition(';')[0]}; it was edited or damaged, so no command can "
                         "be made from it; `jaxart info` without --command shows what it holds") from None
    except ValueError as e:
        raise InputError(f"the run record (jaxart {record.get('jaxart', '?')}) has "
                         f"{str(e).partition(';')[0].replace('unknown config', 'config')} this jaxart does not know; "
                         "run the jaxart that wrote it, or read the record with `jaxart info`") from None


def inputs_of(record: dict) -> tuple[str, list[str]]:
    """The record's (content, styles) paths, or an InputError saying why it names none."""
    inputs = record.get("inputs")
    content, styles = (inputs.get("content"), inputs.get("styles")) if isinstance(inputs, dict) else (None, None)
    if not (isinstance(content, str) and isinstance(styles, list) and styles
            and all(isinstance(s, str) for s in styles)):
        raise InputError("the run record names no content and style images (inputs.content, inputs.styles), "
                         "so no command can be made from it; `jaxart info` without --command shows what it holds")
    return content, styles


def check_settings(record: dict, config: StyleConfig, styles: list[str]) -> None:
    """Refuse a record whose settings stylize would refuse (an edited or damaged record), so no
    command is printed that fails, or that reads a forged value (--size -5) as the run's. Files are
    not checked here: `reproduce_checks.changed_inputs` warns of a gone --init or --mask."""
    arch = record.get("arch") if record.get("arch") in layers.STAGES else None
    try:
        checked = config.replace(init=config.init if config.init in INITS else "content", mask=None,
                                 region_colors=None, keep_colors=None,  # one painting's blend: left out, as below
                                 style_blend=None if len(styles) == 1 else config.style_blend)
        checked.validate(arch, paintings=None if config.mask else len(styles))
        if not config.init.strip():  # no file has that name: stylize refuses `--init ''`
            raise ValueError("init is blank")
        if config.region_colors is not None or config.keep_colors is not None or config.mask is not None:
            if config.mask is None or not config.region_colors or len(config.region_colors) != len(styles):
                raise ValueError("region colours and mask do not pair up with the paintings")
            parse_colors(region_styles.colors_of(config))
        background = (record.get("inputs") or {}).get("background")
        if background is not None:
            image.check_background(background)
    except ValueError as e:  # its settings as the command's options, as `stop` names them ("--size must be ...")
        raise refused(e) from None


def refused(e: ValueError) -> InputError:
    """A record's settings that stylize refuses (`e` says which), as the error that no command is made."""
    return InputError(f"the run record holds settings stylize refuses ({e}); it was edited or damaged, so no command "
                      "can be made from it; `jaxart info` without --command shows what it holds",
                      settings=getattr(e, "settings", ()))


def stop(record: dict, config: StyleConfig) -> tuple[float, StyleConfig]:
    """The record's --tolerance (0: none) and the config to run: a run a callback stopped at step N
    ("stopped_at", no tolerance) as the run of those N steps."""
    tolerance, at = record.get("tolerance", 0.0), record.get("stopped_at")
    try:
        tolerance = plateau.check_tolerance(tolerance)
        if at is not None and not (isinstance(at, int) and 0 < at <= scales.total_steps(config)):
            raise ValueError(f"stopped at step {at!r} of {scales.total_steps(config)}")
    except ValueError as e:
        raise refused(e) from None
    tolerance = tolerance if plateau.can_stop(config) else 0.0  # never stopped the run; stylize refuses it now
    return tolerance, config if tolerance or at is None else plateau.taken(config, at)
