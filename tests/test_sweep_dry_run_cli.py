"""The sweep CLI's --dry-run: the grid's count, memory and files, the checkpoint it would keep, and the weights a run
would download first, all said before any weights load (the sweep itself: test_sweep_cli.py)."""

import os

import pytest

from conftest import run_main, write_tiny_job
from test_sweep_cli import _sweep_args


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("sweep"), "vgg16")


def test_a_dry_run_says_the_count_memory_and_files_and_runs_nothing(files, tmp_path, monkeypatch, capsys):
    """A grid's size was said only once it had run (a typo in a value list can make it 100 times larger): --dry-run
    says it, with what the files would replace, after every check and before any weights load."""
    monkeypatch.setattr("jaxart.model_choice.resolve_model", lambda *a, **k: pytest.fail("weights loaded"))
    out, grid = tmp_path / "new" / "g.png", ("--style-weight", "1,10", "--tv-weight", "0,1,10", "--dry-run")
    code, printed, err = run_main(_sweep_args(files, out, *grid), monkeypatch, capsys)
    assert (code, err) == (0, "") and printed.startswith("dry run: 6 settings, 24 px, 2 steps, about ")
    assert printed.endswith(f"would write {out}, {out.with_suffix('.html')} and 6 images; nothing ran\n")
    assert not list(tmp_path.iterdir())  # not even the folder it would make
    out.parent.mkdir()
    out.with_suffix(".html").write_text("mine")
    code, _, err = run_main(_sweep_args(files, out, *grid), monkeypatch, capsys)
    assert code == 2 and "already exists; pass --overwrite" in err  # refused as the sweep would be
    code, printed, err = run_main(_sweep_args(files, out, *grid, "--overwrite"), monkeypatch, capsys)
    assert code == 0 and "and 6 images (replacing 1 file); nothing ran" in printed, err
    assert os.listdir(out.parent) == ["g.html"] and out.with_suffix(".html").read_text() == "mine"


@pytest.mark.parametrize("every, kept", [("1", True), ("2", False)])
def test_a_dry_run_names_the_checkpoint_a_sweep_would_keep_until_its_files_are_placed(every, kept, files, tmp_path,
                                                                                       monkeypatch, capsys):
    """`--checkpoint-every 1` keeps g.ckpt.npz while the sweep runs, which its dry run left out, as stylize's does not;
    an interval of the sweep's 2 steps keeps none (and is warned of)."""
    out = tmp_path / "g.png"
    args = _sweep_args(files, out, "--checkpoint-every", every, "--dry-run")
    code, printed, err = run_main(args, monkeypatch, capsys)
    assert code == 0, err
    ckpt = tmp_path / "g.ckpt.npz"
    assert printed.endswith(f"would write {out}, {out.with_suffix('.html')}, 1 image and {ckpt} (removing {ckpt} once "
                            "they are placed); nothing ran\n" if kept else
                            f"would write {out}, {out.with_suffix('.html')} and 1 image; nothing ran\n"), printed


def test_a_dry_run_says_which_weights_a_run_would_download_first(files, tmp_path, monkeypatch, capsys):
    """It said nothing of weights: a sweep that looked ready first downloaded vgg19. The folder alone tells."""
    from jaxart.weights import SOURCES

    monkeypatch.setattr("jaxart.model_choice.resolve_model", lambda *a, **k: pytest.fail("weights loaded"))
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))  # empty
    mib = {name: f"{SOURCES[name].size / 2**20:.0f} MiB" for name in ("vgg19", "vgg16-hed")}
    said = {}
    for model in ("auto", "vgg16-hed", files[1]):
        code, printed, err = run_main(_sweep_args(files, tmp_path / "g.png", "--dry-run", "--model", model),
                                      monkeypatch, capsys)
        assert code == 0 and printed.startswith("dry run: ") and printed.endswith("; nothing ran\n"), err
        said[model] = printed.split(" and 1 image; ")[1][:-len("nothing ran\n")]
    assert said == {"auto": f"vgg19 is not installed, so a run would first try to download it ({mib['vgg19']}), "
                            f"else download vgg16-hed ({mib['vgg16-hed']}); ",
                    "vgg16-hed": f"vgg16-hed is not installed, so a run would first download it ({mib['vgg16-hed']}); ",
                    files[1]: ""}  # a file: nothing to download
    assert not (tmp_path / "w").exists()


def test_a_dry_run_over_an_interrupted_checkpoint_names_it_once(files, tmp_path, monkeypatch, capsys):
    """`--overwrite --checkpoint-every 1` over an interrupted run's g.ckpt.npz said "(discarding ... g.ckpt.npz,
    removing g.ckpt.npz once they are placed)": one file named twice, as if there were two."""
    import numpy as np

    from jaxart import checkpoint

    out, ckpt = tmp_path / "g.png", tmp_path / "g.ckpt.npz"
    checkpoint.save(ckpt, [np.zeros(1)], {"step": 1})  # a stylize run's, as far as `kind` goes
    code, printed, err = run_main(_sweep_args(files, out, "--steps", "4", "--checkpoint-every", "1", "--overwrite",
                                              "--dry-run"), monkeypatch, capsys)
    assert code == 0, err
    assert printed.endswith(f"1 image and {ckpt} (discarding the interrupted stylize run's checkpoint {ckpt}, and "
                            "removing its own once they are placed); nothing ran\n"), printed
    assert printed.count(str(ckpt)) == 2  # the file it writes, and the one there now
