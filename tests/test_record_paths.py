"""`stylize --record no-paths|none`: a picture passed on tells the folders and names of the files its run read only
if its maker wants. A full record names each by its absolute path (/home/alice/private/photo.jpg)."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from conftest import run_main, stylize_argv, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("private-folder"))


def _embedded(path) -> str:
    with Image.open(path) as img:
        return img.info.get("jaxart") or ""


def test_a_record_without_paths_names_no_folder_and_keeps_what_remakes_the_image(files, tmp_path, monkeypatch,
                                                                                 capsys):
    out = tmp_path / "shared.png"
    code, _, err = run_main(stylize_argv(files, out, "--record", "no-paths", "--save-every", "1"), monkeypatch, capsys)
    assert code == 0, err
    for written in (out, tmp_path / "shared_00001.png"):  # the image and its frame
        text = _embedded(written)
        assert "private-folder" not in text and "photo.jpg" not in text and "tiny.safetensors" not in text
        assert str(tmp_path) not in text
    record = json.loads(_embedded(out))
    assert record["inputs"]["content"] == "PHOTO.jpg" and record["inputs"]["styles"] == ["PAINTING.png"]
    assert set(record["input_sha256"]) == {"PHOTO.jpg", "PAINTING.png"}  # the files, found again by their digests
    assert record["config"]["steps"] == 2 and record["model_path"] == "MODEL.safetensors"

    code, shown, err = run_main(["info", str(out)], monkeypatch, capsys)
    assert code == 0 and json.loads(shown) == record
    assert err == ("warning: this record leaves out the paths of the files its run read (--record no-paths): "
                   "it names them PHOTO.jpg, PAINTING.png, each with its sha256; give those files in their place")
    code, shown, err = run_main(["info", str(out), "--command"], monkeypatch, capsys)
    assert code == 0 and shown.startswith("jaxart stylize PHOTO.jpg PAINTING.png ")
    assert "--model MODEL.safetensors" in shown and "--steps 2" in shown and "is gone" not in err


def test_an_image_without_a_record_is_said_to_be_jaxarts_and_info_says_there_is_none(files, tmp_path, monkeypatch,
                                                                                     capsys):
    out = tmp_path / "bare.png"
    code, _, err = run_main(stylize_argv(files, out, "--record", "none"), monkeypatch, capsys)
    assert code == 0, err
    with Image.open(out) as img:
        assert "jaxart" not in img.info and img.info.get("Software") == "jaxart"
    code, shown, err = run_main(["info", str(out)], monkeypatch, capsys)
    assert (code, shown) == (2, "")
    assert err == (f"error: {out} was written by jaxart without a run record (--record none, or save_image "
                   "without one): nothing to show")


def test_an_ordinary_run_keeps_its_full_record(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "full.png"
    code, _, err = run_main(stylize_argv(files, out), monkeypatch, capsys)
    assert code == 0, err
    record = json.loads(_embedded(out))
    assert record["inputs"]["content"] == str((files[0] / "photo.jpg").resolve()) and "paths" not in record


def test_a_sweeps_tiles_and_sheet_leave_out_the_paths_too(files, tmp_path, monkeypatch, capsys):
    from test_sweep_cli import _sweep_args

    out = tmp_path / "g.png"
    code, _, err = run_main(_sweep_args(files, out, "--style-weight", "1,100", "--quiet", "--record", "no-paths"),
                            monkeypatch, capsys)
    assert code == 0, err
    for written in (out, tmp_path / "g-00.png", tmp_path / "g-01.png"):
        text = _embedded(written)
        assert "private-folder" not in text and "photo.jpg" not in text and str(tmp_path) not in text
        assert json.loads(text)["inputs"]["content"] == "PHOTO.jpg"
    code, shown, err = run_main(["info", str(out), "--command"], monkeypatch, capsys)
    assert code == 0 and shown.startswith("jaxart sweep PHOTO.jpg PAINTING.png "), (shown, err)

    code, _, err = run_main(_sweep_args(files, tmp_path / "n.png", "--quiet", "--record", "none"), monkeypatch, capsys)
    assert code == 0, err
    assert _embedded(tmp_path / "n.png") == "" and _embedded(tmp_path / "n-00.png") == ""


def test_frames_without_paths_are_still_removed_by_a_later_overwrite(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "f.png"
    code, _, err = run_main(stylize_argv(files, out, "--record", "no-paths", "--save-every", "1"), monkeypatch, capsys)
    assert code == 0 and (tmp_path / "f_00001.png").is_file(), err
    assert json.loads(_embedded(tmp_path / "f_00001.png"))["output"] == "f.png"  # by name, not folder
    code, _, err = run_main(stylize_argv(files, out, "--overwrite"), monkeypatch, capsys)
    assert code == 0, err
    assert not (tmp_path / "f_00001.png").exists()  # an earlier run's frame, mixed in with this run's image


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_run_resumed_from_its_checkpoint_keeps_the_record_without_paths(command, files, signal_at, tmp_path,
                                                                           monkeypatch, capsys):
    out = tmp_path / "shared.png"
    argv = stylize_argv(files, out, "--record", "no-paths", "--steps", "4")
    if command == "sweep":
        argv = ["sweep", *argv[1:], "--style-weight", "1,10"]
    signal_at(2)
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 143, err
    ckpt = tmp_path / "shared.ckpt.npz"
    code, _, err = run_main([command, "--resume", str(ckpt), "--quiet"], monkeypatch, capsys)
    assert code == 0, err
    text = _embedded(out)
    assert str(files[0]) not in text and "photo.jpg" not in text and str(tmp_path) not in text
    assert json.loads(text)["inputs"]["content"] == "PHOTO.jpg"
