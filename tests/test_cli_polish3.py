"""What users read, continued: a value they typed is quoted in the config's refusals, as the CLI's own lines
quote one ("--conv lists 'direct' twice"); the names of settings stay bare."""

from __future__ import annotations

import pytest

from conftest import run_main
from jaxart import StyleConfig

# Each read with the value bare: "style layer relu1_1 is listed twice", "linesearch zoom is L-BFGS's; optimizer adam takes none".
TYPED = {
    "style layer twice": (["--style-layers", "relu1_1,relu2_1,relu1_1"],
                          "--style-layers lists 'relu1_1' twice (relu1_1, relu2_1, relu1_1); list each layer once "
                          "(--style-layer-weights weights a layer more)"),
    "content layer twice": (["--content-layers", "relu4_2,relu4_2"],
                            "--content-layers lists 'relu4_2' twice (relu4_2, relu4_2); list each layer once"),
    "zoom with adam": (["--optimizer", "adam", "--linesearch", "zoom"], "--linesearch 'zoom' is L-BFGS's; --optimizer 'adam' takes none"),
}


@pytest.mark.parametrize("case", sorted(TYPED))
def test_the_cli_quotes_the_value_typed_in_a_config_refusal(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    options, line = TYPED[case]
    code, out, err = run_main(["stylize", "a.jpg", "b.jpg", *options], monkeypatch, capsys)
    assert (code, out, err) == (2, "", f"error: {line}")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("changes, start", [
    ({"style_layers": ("relu1_1", "relu2_1", "relu1_1")}, "style-layers lists 'relu1_1' twice"),
    ({"optimizer": "adam", "linesearch": "zoom"}, "linesearch 'zoom' is L-BFGS's; optimizer 'adam' takes none"),
])
def test_the_library_quotes_the_value_given_as_the_cli_does(changes, start):
    with pytest.raises(ValueError) as e:
        StyleConfig(**changes).validate()
    assert str(e.value).startswith(start), e.value
