"""Other style transfer programs' names for jaxart's options, each with what to give instead: jcjohnson/neural-style's
(`-image_size`, `-num_iterations`, `-original_colors`, ...) and anishathalye/neural-style's (`--preserve-colors`). Click
answered them with no hint, or a loose guess (`--style-blend-weights`: "--style-layer-weights or --style-weight or
--style-blend")."""

from __future__ import annotations

import os

from jaxart_cli.paths import before_dashes

# Theirs, written with "--" and dashes -> (the option of ours it names, what to say). Both neural-style programs put
# the photo's colours back on an ordinary style run, as --colors keep does.
_COLOURS = ("--colors", "to keep the photo's colours, give --colors keep, as neural-style does, or --colors luminance")
# Their files given by option are jaxart's arguments, which a command that paints takes (it has --style-weight); None
# for the option of ours: none is named, so the line says nothing of how jaxart's options are spelt.
_FILES = (None, "neural-style's -content_image and -style_image are the arguments: the photo, then the "
          "painting")
# Theirs with no jaxart option: what jaxart does instead, said wherever a command paints, as for the files.
_DEVICE = (None, "neural-style's -gpu has no jaxart option: JAX runs on the GPU it finds; "
           "CUDA_VISIBLE_DEVICES=N picks one, JAX_PLATFORMS=cpu the CPU")
_BACKEND = (None, "neural-style's -backend and -cudnn_autotune have no jaxart option: XLA compiles and "
            "tunes the convolutions for the device")
_THEIRS = {
    "--gpu": _DEVICE,
    "--backend": _BACKEND,
    "--cudnn-autotune": _BACKEND,
    "--print-iter": (None, "neural-style's -print_iter has no jaxart option: the progress line shows the "
                     "loss as the run goes, --quiet hides it"),
    "--normalize-gradients": (None, "neural-style's -normalize_gradients has no jaxart equivalent: leave "
                              "it out"),
    "--content-image": _FILES,
    "--style-image": _FILES,
    "--image-size": ("--size", "neural-style's -image_size is --size PX, the output's long side"),
    "--num-iterations": ("--steps", "neural-style's -num_iterations is --steps N"),
    "--iterations": ("--steps", "neural-style's --iterations is --steps N"),
    "--init-image": ("--init", "neural-style's -init_image is --init PATH"),
    "--style-blend-weights": ("--style-blend", "neural-style's -style_blend_weights is --style-blend W,.."),
    "--save-iter": ("--save-every", "neural-style's -save_iter is --save-every N"),
    "--output-image": ("--output", "neural-style's -output_image is --output OUT.png"),
    "--model-file": ("--model", "neural-style's -model_file is --model, a weight set's name or a .safetensors path"),
    "--lbfgs-num-correction": ("--lbfgs-memory", "neural-style's -lbfgs_num_correction is --lbfgs-memory N"),
    "--original-colors": _COLOURS,
    "--preserve-colors": _COLOURS,
    "--preserve-color": _COLOURS,
    "--keep-colors": _COLOURS,
}


def option_names(command) -> set[str]:
    """Every name click's `command` takes a parameter by (`--size`, `-o`, ...), as `hint` and the checks read them."""
    return {o for p in command.params for o in p.opts}


def hint(name: str, options: set[str]) -> str | None:
    """What to give for another program's option `name` (`--image_size`, `--original-colours`), where the command paints
    (stylize, sweep: `options` has --style-weight) and has the option it names, if any; else None (`weights normalize`
    has a --size, but not the output's)."""
    ours = _theirs(name)
    return ours[1] if ours and ours[0] in {None, *options} and "--style-weight" in options else None


def _theirs(name: str) -> tuple[str | None, str] | None:
    """`_THEIRS`'s entry for another program's option `name`, however it is spelt, or None."""
    return _THEIRS.get(name.replace("_", "-").replace("colours", "colors").replace("colour", "color"))


def check_single_dash(ctx, args: list[str], command: str) -> None:
    """Refuse another program's option typed its way, one dash and underscores (`-image_size 256`), before click reads
    it as short options: it said "has no option -i", and `-original_colors 1` wrote to riginal_colors (as -o). A file
    or folder of that name here, an option's value, or a word after `--`, is not one, as click takes it. One of
    jaxart's own names typed so (`-seed 3`, `-content_weight 5`) is named too: `-optimizer adam` wrote to ptimizer;
    and any other word whose first letter is no short option (neural-style's `-gpu 0`, `-print_iter 1`), whole."""
    from typer import BadParameter

    from jaxart_cli.misread import value_next

    options = option_names(ctx.command)
    words = before_dashes(args)
    for before, arg in zip(["", *words], words):
        name = arg.partition("=")[0]
        if value_next(before, ctx.command) or not name.startswith("-") or name.startswith("--") or os.path.lexists(arg):
            continue
        ours = "-" + name.replace("_", "-")
        said = hint("-" + name, options)
        if theirs := said or (f"{name} is {ours}" if ours in options else None):
            named = not said or _theirs("-" + name)[0]  # how jaxart spells an option, where one is named
            spelt = "; jaxart's options start with -- and join words with -" if named else ""
            raise BadParameter(f"`{command}` has no option {name} ({theirs}{spelt}); see `{command} --help` for "
                               "its options", ctx=ctx)
        if len(name) > 2 and name[:2] not in {*options, *ctx.help_option_names}:  # click named its first letter alone
            raise BadParameter(f"`{command}` has no option {name}; see `{command} --help` for its options", ctx=ctx)
