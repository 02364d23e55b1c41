"""Standard output that takes no more (`> /dev/full`, a full disk): the command fails, naming it, in one line."""

import os
import sys

import numpy as np
import pytest

import cli
import jaxart

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")


@pytest.mark.parametrize("argv", [["info", "RECORD"], ["weights", "list"], ["--help"]], ids=["info", "list", "help"])
def test_output_onto_a_full_disk_is_one_line_that_names_the_standard_output(argv, tmp_path, monkeypatch, capsys):
    """It said "error: No space left on device", naming nothing: not which file, nor that the disk is stdout's."""
    record = tmp_path / "r.png"
    jaxart.output.save_image(record, np.zeros((4, 4, 3)), {"config": {"size": 32}})
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["cli.py", *[str(record) if a == "RECORD" else a for a in argv]])
    with open("/dev/full", "w") as full:
        monkeypatch.setattr(sys, "stdout", full)
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 1 and err == "error: could not write to the standard output (No space left on " \
                                                "device); free some space on its disk or send it elsewhere\n", err


def test_output_to_a_terminal_that_is_gone_is_not_told_to_free_disk_space(tmp_path, monkeypatch, capsys):
    """A terminal closed under the command (its pty's other end gone: EIO) was told "free some space on its disk"."""
    import pty

    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["cli.py", "weights", "list"])
    ours, theirs = pty.openpty()
    os.close(ours)
    with open(theirs, "w") as gone:
        monkeypatch.setattr(sys, "stdout", gone)
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 1 and err == "error: could not write to the standard output (Input/output " \
                                                "error); send it elsewhere\n", err


def test_a_sweep_whose_output_is_full_still_says_which_tiles_failed(tmp_path, monkeypatch, capsys):
    """The closing line's failed write ended the sweep first: the line naming the tiles whose loss became NaN was
    never said, and the run looked as if only its standard output had failed."""
    from conftest import write_tiny_job

    d, model = write_tiny_job(tmp_path, "vgg16")
    monkeypatch.setattr(sys, "argv", ["cli.py", "sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output",
                                      str(tmp_path / "g.png"), "--model", model, "--size", "24", "--steps", "2",
                                      "--style-weight", "1,1e28", "--optimizer", "adam"])
    with open("/dev/full", "w") as full:
        monkeypatch.setattr(sys, "stdout", full)
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
    lines = capsys.readouterr().err.splitlines()
    assert exit_info.value.code == 1, lines
    assert "error: could not write to the standard output (No space left on device); free some space on its disk " \
           "or send it elsewhere" in lines, lines
    assert lines[-1].startswith("error: the loss became NaN or inf for 1 of 2 settings: g-01.png (style 1e28"), lines
