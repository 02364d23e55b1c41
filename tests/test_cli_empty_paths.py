"""An empty path ("", as an unset shell variable leaves it) is refused in one line saying so, by every command that
takes a path (README, "What is refused"): Path("") is the current folder, which `weights normalize --images` read
as its images and `bench --quality-images` would write into; the others named "." as what was wrong."""

from __future__ import annotations

import pytest

from conftest import run_main


@pytest.mark.parametrize("argv", [
    ["info", ""],
    ["info", "", "--command"],
    ["weights", "convert", "", "--name", "x"],
    ["weights", "normalize", "vgg16-hed", "--images", "", "--name", "x"],
    ["bench", "--json", ""],
    ["bench", "--quality-evals", "1", "--quality-images", ""],
    ["bench", "--quality-evals", "1", "--content", ""],
    ["bench", "--quality-evals", "1", "--style", ""],
], ids=" ".join)
def test_an_empty_path_is_refused_as_empty_before_anything_runs(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "the path is empty" in err, err
    assert not (tmp_path / "w" / "x.safetensors").exists() and list(tmp_path.glob("*.png")) == []
