"""Which frames (`--save-every`) an interrupted run and its `--resume` name, keep and remove: an earlier run's that
would mix in, another output's, those of the other suffix. The other outputs: test_resume_outputs.py."""

from conftest import run_main
from test_resume_outputs import _interrupted, _run, files as _files

files = _files  # its module-scoped tiny job, a fixture here too


def test_frames_of_an_earlier_run_that_would_mix_in_are_named(files, tmp_path, monkeypatch, capsys):
    """Without --overwrite they stay (not this run's to remove), but the run said nothing of them."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["stylize", *_run(files, "-o", "m.png", "--save-every", "1")], monkeypatch, capsys)
    assert code == 0 and err == "", err  # no earlier frames: nothing to say
    (tmp_path / "m.png").unlink()
    code, _, err = run_main(["stylize", *_run(files, "-o", "m.png", "--steps", "5", "--save-every", "3")],
                            monkeypatch, capsys)
    assert code == 0 and err == ("warning: 2 frames of an earlier run to m.png (m_00001.png, ...) will lie among "
                                 "this run's; pass --overwrite to remove them"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.png", "m_00001.png", "m_00002.png", "m_00003.png"]


def test_overwrite_removes_an_earlier_runs_frames_that_this_run_does_not_replace(files, tmp_path, monkeypatch, capsys):
    # They were left mixed in with the new ones: o_00001.png of --save-every 1 beside o_00002.png of 2.
    import jaxart

    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["stylize", *_run(files, "-o", "o.png", "--save-every", "1")], monkeypatch, capsys)
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["o.png", "o_00001.png", "o_00002.png"], err
    record = jaxart.read_record("o_00001.png")  # a frame says what made it, as the output does
    assert record["step"] == 1 and record["config"]["steps"] == 3 and record["output"] == str(tmp_path / "o.png")
    (tmp_path / "o_00099.png").write_bytes((tmp_path / "o.png").read_bytes())  # someone's, not a frame of o.png
    code, _, err = run_main(["stylize", *_run(files, "-o", "o.png", "--save-every", "2", "--overwrite")], monkeypatch,
                            capsys)
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["o.png", "o_00002.png", "o_00099.png"], err
    assert jaxart.read_record("o_00002.png")["config"]["seed"] == jaxart.read_record("o.png")["config"]["seed"]


def test_resuming_to_another_output_keeps_that_outputs_frames(files, tmp_path, monkeypatch, capsys):
    """The first run's --overwrite was for a.png: it gives no leave to remove b.png's frames."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["stylize", *_run(files, "-o", "b.png", "--save-every", "1")], monkeypatch, capsys)
    assert code == 0, err
    (tmp_path / "b.png").unlink()
    (tmp_path / "b_00002.png").unlink()  # b_00001.png is left, at a step the resumed run does not write
    _interrupted(files, monkeypatch, capsys, "--save-every", "2", "--overwrite")
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "-o", "b.png", "-q"], monkeypatch, capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ckpt.npz", "a.png", "b.png", "b_00001.png", "b_00002.png"]


def test_overwrite_given_at_resume_removes_an_earlier_runs_frames(files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["stylize", *_run(files, "-o", "a.png", "--save-every", "1")], monkeypatch, capsys)
    assert code == 0, err
    (tmp_path / "a.png").unlink()
    (tmp_path / "a_00002.png").unlink()
    _interrupted(files, monkeypatch, capsys, "--save-every", "2")  # warned of a_00001.png, did not remove it
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "--overwrite", "-q"], monkeypatch, capsys)
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "a_00002.png"], err


def test_a_resumed_run_keeps_the_frames_it_wrote_before_it_stopped(files, tmp_path, monkeypatch, capsys):
    """Resumed with another --save-every, its frame of step 1 is its own, not an earlier run's."""
    monkeypatch.chdir(tmp_path)
    _interrupted(files, monkeypatch, capsys, "--save-every", "1", "--overwrite")
    assert (tmp_path / "a_00001.png").exists()
    code, _, err = run_main(["stylize", "--resume", "a.ckpt.npz", "--save-every", "2", "-q"], monkeypatch, capsys)
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "a_00001.png", "a_00002.png"], err


def test_frames_of_the_other_suffix_are_named_and_removed_as_those_of_the_same_one(files, tmp_path, monkeypatch,
                                                                                   capsys):
    """m_00001.png of a run to m.png lay among m_00001.tif of a later run to m.tif with no warning,
    and --overwrite left them: frames of one stem look like one run's, whatever their suffix."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["stylize", *_run(files, "-o", "m.png", "--save-every", "1")], monkeypatch, capsys)
    assert code == 0, err
    earlier = ["m.png", "m_00001.png", "m_00002.png"]
    code, _, err = run_main(["stylize", *_run(files, "-o", "m.tif", "--save-every", "2")], monkeypatch, capsys)
    assert code == 0 and err == ("warning: 2 frames of an earlier run to m.png (m_00001.png, ...) will lie among "
                                 "this run's; pass --overwrite to remove them"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*earlier, "m.tif", "m_00002.tif"])
    code, _, err = run_main(["stylize", *_run(files, "-o", "m.tif", "--save-every", "2", "--overwrite")],
                            monkeypatch, capsys)
    assert code == 0 and err == "", err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.png", "m.tif", "m_00002.tif"]
