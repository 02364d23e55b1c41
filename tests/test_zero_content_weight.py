"""At --content-weight 0 the content term is off: a --content-layers given with it changes nothing (relu1_1 and relu2_1
gave the very same pixels), and stylize and sweep say so."""

from __future__ import annotations

import pytest

from conftest import run_main, write_tiny_job, stylize_argv

SAID = ("warning: --content-layers has no effect with --content-weight 0: the content term is off, so no layer of the "
        "photo is matched; give --content-weight above 0 to keep its content")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("zero-content"))


@pytest.mark.parametrize("command, weights", [("stylize", "0"), ("stylize", "1"), ("sweep", "0"), ("sweep", "0,1")])
def test_content_layers_at_content_weight_0_are_warned_about(command, weights, files, tmp_path, monkeypatch, capsys):
    """So in a sweep whose content weights are all 0 (where one is not, its tiles take the layers)."""
    argv = [command, *stylize_argv(files, tmp_path / "o.png", "--content-weight", weights, "--content-layers",
                                   "relu2_1", "--dry-run")[1:]]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and "nothing ran" in out, err
    assert err == (SAID if weights == "0" else ""), err
