"""Two runs to one output at once: the loser says so in one line, and leaves no checkpoint of its own
settings where the winner's files are."""

import pytest

from jaxart import checkpoint

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("concurrent"))


def _run(files, *extra):
    d, model = files
    return ["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--size", "32", "--steps", "3",
            "-q", "-o", "a.png", "--checkpoint-every", "1", *extra]


def _meanwhile(monkeypatch, write):
    """Call `write()` (the other run) just before this run's first checkpoint."""
    save, done = checkpoint.save, []

    def racing(*args, **kwargs):
        if not done:
            done.append(write())
        return save(*args, **kwargs)

    monkeypatch.setattr(checkpoint, "save", racing)


def test_another_runs_checkpoint_written_meanwhile_is_kept(files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _meanwhile(monkeypatch, lambda: (tmp_path / "a.ckpt.npz").write_bytes(b"the other run's"))
    code, _, err = run_main(_run(files), monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "a.ckpt.npz was created by something else" in err, err
    assert (tmp_path / "a.ckpt.npz").read_bytes() == b"the other run's"


def test_a_run_that_lost_its_output_leaves_no_checkpoint_beside_the_winners_image(files, tmp_path, monkeypatch,
                                                                                    capsys):
    monkeypatch.chdir(tmp_path)
    _meanwhile(monkeypatch, lambda: (tmp_path / "a.png").write_bytes(b"the other run's"))
    code, _, err = run_main(_run(files), monkeypatch, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "this image is in" in err, err
    assert (tmp_path / "a.png").read_bytes() == b"the other run's"
    assert not (tmp_path / "a.ckpt.npz").exists()  # resuming it would continue this run over the winner's image
    assert len(list(tmp_path.glob("a-*.png"))) == 1
