"""The defaults README.md states in prose, against the ones the code uses: a user who leaves an option out
gets what the README says."""

import importlib
import re

import pytest
import typer

import cli


def _readme() -> str:
    from conftest import ROOT

    return " ".join((ROOT / "README.md").read_text().split())


def _default(path: str, option: str):
    """The default click holds for `option` of the command `path` ("weights normalize")."""
    command = typer.main.get_command(cli.app)
    for name in path.split():
        command = command.commands[name]
    return next(p.default for p in command.params if option in p.opts)


def _module(name: str):
    return importlib.import_module(name)


def _fetch_default(name: str):
    import inspect

    return inspect.signature(_module("jaxart.weights.fetch").fetch).parameters[name].default


_words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def _config():
    from jaxart import StyleConfig

    return StyleConfig()


def test_the_loss_defaults_the_readme_states_are_stylize_s():
    c = _config()
    found = re.search(r"Defaults: content layer `(\w+)`; style layers `([\w, ]+)` \(equal weights\); content weight "
                      r"([\d.]+), style weight ([\d.]+), TV weight ([\d.]+);", _readme())
    assert found, "README's 'Defaults:' sentence changed shape; update this test with it"
    layer, layers, content, style, tv = found.groups()
    assert (layer,) == c.content_layers and tuple(layers.split(", ")) == c.style_layers
    assert c.style_layer_weights is None  # equal weights
    assert (float(content), float(style), float(tv)) == (c.content_weight, c.style_weight, c.tv_weight)


@pytest.mark.parametrize("pattern, actual", [
    (r"stylize's are (\d+) px and \d+ steps", lambda: _config().size),
    (r"stylize's are \d+ px and (\d+) steps", lambda: _default("stylize", "--steps")),
    (r"(\d+) px \(the default size\)", lambda: _config().size),
    (r"defaults: --size (\d+), --steps \d+", lambda: importlib.import_module("jaxart_cli.sweep")._SIZE),
    (r"defaults: --size \d+, --steps (\d+)", lambda: int(_default("sweep", "--steps"))),
    (r"--output (\S+\.png) \(stylize's", lambda: str(_default("sweep", "--output"))),
    (r"`--margin PX`, field `margin`, default (\d+)", lambda: _default("stylize", "--margin")),
    (r"`--lbfgs-memory N` \(default (\d+)\)", lambda: _default("stylize", "--lbfgs-memory")),
    (r"resized to `--size` \((\d+) by default\)", lambda: _default("weights normalize", "--size")),
    (r"So, by default, is a filter whose mean is below \S+ of its layer's average \(`--min-mean ([\d.]+)`\)",
     lambda: _default("weights normalize", "--min-mean")),
    (r"composited over `--background`, (\w+) by default", lambda: _default("stylize", "--background")),
    (r"`--model (\w+)` \(the default\) warns once", lambda: _default("stylize", "--model")),
    (r"`--model (\w+)` \(the default\) uses `vgg19`", lambda: _default("sweep", "--model")),
    (r"\(`--tolerance REL`, default (\d+): off", lambda: _default("stylize", "--tolerance")),
    (r"\| `(\w+)` \(default\) \| the 2015 method", lambda: _default("stylize", "--colors").value),
    (r"\(`--conv (\w+)`, the default\)", lambda: _default("stylize", "--conv").value),
    # The limits and thresholds README states in prose, each the module constant a user meets it through.
    (r"with (\d+) s to connect and for each read", lambda: _module("jaxart.model_choice").PROBE_TIMEOUT),
    (r"waited \d+ s for fetch's three (\d+) s attempts", lambda: _fetch_default("timeout")),
    (r"waited \d+ s for fetch's (three) \d+ s attempts", lambda: _words[_fetch_default("attempts")]),
    (r"It keeps at most (\d+) frames", lambda: _module("jaxart.animate").MAX_FRAMES + 1),
    (r"within an RGB distance of (\d+)", lambda: _module("jaxart.mask_regions").TOLERANCE),
    (r"its aspect differs from the photo's by over (\d+)%", lambda: round(100 * _module("jaxart.mask_regions").ASPECT)),
    (r"or over (\d+)% of it matches no listed colour", lambda: round(100 * _module("jaxart.mask_regions").STRAY)),
    (r"More than ([\d,]+) settings", lambda: f"{_module('jaxart.settings').MAX_SETTINGS:,}"),
    (r"A row wider than (\d+) px", lambda: _module("jaxart.sheet_draw").MAX_WIDTH),
    (r"take more lines, up to (\d+), not cut", lambda: _module("jaxart.sheet_draw").HEADER_LINES),
    (r"after at most (\d+) s, never a hang", lambda: _module("jaxart.weights.hdf5")._SECONDS),
    (r"--dry-run` counts them, below: \d+ for 8-bit, up to (\d+)\)", lambda: _module("jaxart.decode_memory").MOST),
    (r"\((\d+) bytes a pixel of the mask as drawn", lambda: _module("jaxart.footprint").MASK_PIXEL_BYTES),
    (r"below (\d+) columns without the bar", lambda: _module("jaxart.progress").COMPACT_BELOW),
    (r"after each compile of ([\d.]+) s or more", lambda: _module("jaxart.compile_memory").MIN_SECONDS),
    (r"fell by less than [\d.]+% \(relative\) over the last (\d+) steps", lambda: _module("jaxart.plateau").WINDOW),
    (r"with TERM=dumb, a line every (\d+) s", lambda: _module("jaxart.progress").LOG_EVERY),
    (r"below (\d+), the step count, ETA and loss alone", lambda: _module("jaxart.progress").NARROW_BELOW),
    (r"sends under (\d+) KiB/s on average for \d+ s", lambda: _fetch_default("speed").min_rate / 1024),
    (r"sends under \d+ KiB/s on average for (\d+) s", lambda: _fetch_default("speed").window),
    (r"a server that trickles, \d+ s under (\d+) KiB/s", lambda: _fetch_default("speed").min_rate / 1024),
    (r"\(seconds or a date\), up to (\d+) s", lambda: _module("jaxart.weights.fetch").LONGEST_RETRY_AFTER),
    (r"the fetch ends after (\d+) in a row that each keep", lambda: _fetch_default("attempts")),
    (r"that each keep under (\d+) KiB", lambda: _module("jaxart.weights.retries").least(_fetch_default("speed")) / 1024),
    (r"or after (\d+) attempts in all", lambda: _module("jaxart.weights.retries").MOST_ATTEMPTS),
    (r"after (\d+) or more\s+attempts that have kept on average", lambda: _module("jaxart.weights.retries").JUDGED),
    (r"the rest would take over ([\d,]+) more attempts", lambda: f"{_module('jaxart.weights.retries').HOPELESS:,}"),
    (r"its newest (\d+) lines, about \d+ KiB", lambda: _module("jaxart.timings").KEEP),
])
def test_a_default_the_readme_states_is_the_one_the_cli_uses(pattern, actual):
    found = re.search(pattern, _readme())
    assert found, f"README no longer says {pattern!r}; update this test with it"
    expected = actual()
    assert type(expected)(found.group(1)) == expected, f"README says {found.group(0)!r}, the code {expected!r}"
