"""A symbolic link to nothing (its file moved or deleted), given as a checkpoint or where a run writes, is said to
be one, with its target, where it was "does not exist" or "already exists" of a name `ls` lists; and what
`--resume LINK.npz` removes once the image is written, said by its dry run as the run does it."""

import os

import numpy as np
import pytest

from jaxart import checkpoint

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("dangling"))


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_checkpoint_linked_to_nothing_is_said_to_be_one(command, tmp_path, monkeypatch, capsys):
    """It said "checkpoint LINK.npz does not exist"."""
    (tmp_path / "LINK.npz").symlink_to("moved.ckpt.npz")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main([command, "--resume", "LINK.npz", "--dry-run"], monkeypatch, capsys)
    assert code == 2 and not out and err.startswith(
        "error: checkpoint LINK.npz is a symbolic link to moved.ckpt.npz, which does not exist; "), err


@pytest.mark.parametrize("where", ["output", "sheet", "tile", "animation", "checkpoint"])
def test_a_link_to_nothing_where_a_run_writes_is_said_to_be_one(where, files, tmp_path, monkeypatch, capsys):
    """Each said "LINK already exists", of a file no `cat` opens."""
    d, model = files
    link = {"output": "out.png", "sheet": "out.png", "tile": "out-01.png", "animation": "out.gif",
            "checkpoint": "out.ckpt.npz"}[where]
    (tmp_path / link).symlink_to("gone")
    monkeypatch.chdir(tmp_path)
    command = ["sweep", "--style-weight", "1,2"] if where in ("sheet", "tile") else ["stylize"]
    argv = [*command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", "out.png", "--model", model, "--size", "32",
            *(["--animate", "out.gif"] if where == "animation" else []), "--dry-run"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and f"{link}{',' * (where == 'checkpoint')} " in err, err
    assert "is a symbolic link to gone, which does not exist; pass --overwrite to replace it" in err, err
    assert "already exists" not in err and "--resume" not in err, err
    assert sorted(os.listdir(tmp_path)) == [link]


def test_a_link_to_a_checkpoint_elsewhere_goes_and_its_file_stays(tmp_path):
    """What `--resume LINK.npz` does to a link to a renamed checkpoint once its run is done: `rm`'s (the runs and their
    dry runs: test_resume_outputs, test_sweep_resume)."""
    meta = {"step": 1, "output": str(tmp_path / "out.png")}
    checkpoint.save(tmp_path / "run.npz", {"x": np.zeros(2)}, meta)
    (tmp_path / "LINK.npz").symlink_to("run.npz")
    held = checkpoint.read_meta(tmp_path / "run.npz")
    checkpoint.remove_if_holding(tmp_path / "LINK.npz", held)
    assert not os.path.lexists(tmp_path / "LINK.npz") and checkpoint.read_meta(tmp_path / "run.npz") == held
