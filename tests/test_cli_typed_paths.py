"""Every line about an input names its path as the user typed it: a symbolic link is not replaced by its target,
a name the user never typed; the record still keeps each file's absolute path, so `--resume` and `info --command`
find it from any folder."""

import shlex

import numpy as np
import pytest
from PIL import Image

from jaxart.config import StyleConfig
from jaxart.output import save_png

from conftest import run_main, stylize_argv, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("typed"))


def _linked_mask(folder, size=(40, 30)):
    """`folder/LINK.png`, a link to `folder/drawn/target-mask.png`: a red mask of `size` (the photo's is 40x30)."""
    (folder / "drawn").mkdir()
    Image.new("RGB", size, (255, 0, 0)).save(folder / "drawn" / "target-mask.png")
    (folder / "LINK.png").symlink_to(folder / "drawn" / "target-mask.png")
    return folder / "LINK.png"


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_line_about_a_linked_mask_names_the_link_as_typed(command, files, tmp_path, monkeypatch, capsys):
    """The CLI resolved --mask as it parsed it: "mask /abs/drawn/target-mask.png is 40x10 but the photo is 40x30"."""
    d, model = files
    _linked_mask(tmp_path, (40, 10))
    monkeypatch.chdir(tmp_path)
    argv = [command, str(d / "photo.jpg"), "-o", str(tmp_path / "out.png"), "--model", model, "--size", "32",
            "--mask", "LINK.png", "--region-style", f"red={d / 'paint.png'}", "--dry-run"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.startswith("error: mask LINK.png is 40x10 but the photo is 40x30"), err
    assert "target-mask" not in err


def test_a_linked_colour_and_init_are_named_as_typed_and_recorded_resolved(files, tmp_path, monkeypatch, capsys):
    d, model = files
    _linked_mask(tmp_path)
    (tmp_path / "start.png").symlink_to(d / "paint.png")
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), "-o", "out.png", "--model", model, "--size", "32",
                             "--mask", "LINK.png", "--region-style", f"blue={d / 'paint.png'}", "--dry-run"],
                            monkeypatch, capsys)
    assert code == 2 and "mask colour 'blue' is not in LINK.png" in err, err
    seen = []  # the config the run records and checkpoints; the run itself (11 s) is not what is tested
    monkeypatch.setattr("jaxart.job.stylize_files", lambda content, styles, output, config, w, **kw: seen.append(
        config) or (_ for _ in ()).throw(SystemExit(3)))
    argv = stylize_argv(files, tmp_path / "out.png", "--init", "start.png")
    argv[2:3] = []  # the painting comes from --region-style
    code, _, err = run_main([*argv, "--mask", "LINK.png", "--region-style", f"red={d / 'paint.png'}"],
                            monkeypatch, capsys)
    assert code == 3 and err.startswith("warning: --init start.png is 20x20"), err
    assert seen[0].mask == str(tmp_path / "drawn" / "target-mask.png") and seen[0].init == str(d / "paint.png")


@pytest.mark.parametrize("where", ["photo", "painting", "init", "mask", "info"])
def test_a_link_to_nothing_is_said_to_be_one(where, files, tmp_path, monkeypatch, capsys):
    """It said "LINK.png does not exist; check the path", of a name `ls` lists."""
    d, model = files
    (tmp_path / "LINK.png").symlink_to("moved.png")
    monkeypatch.chdir(tmp_path)
    photo, painting = str(d / "photo.jpg"), str(d / "paint.png")
    argv = {"photo": ["stylize", "LINK.png", painting], "painting": ["stylize", photo, "LINK.png"],
            "init": ["stylize", photo, painting, "--init", "LINK.png"],
            "mask": ["stylize", photo, "--mask", "LINK.png", "--region-style", f"red={painting}"],
            "info": ["info", "LINK.png"]}[where]
    code, out, err = run_main([*argv, *(["--model", model, "--dry-run"] if where != "info" else [])], monkeypatch, capsys)
    named = {"init": "--init 'LINK.png'", "mask": "--mask 'LINK.png'"}.get(where, "LINK.png")
    assert code == 2 and not out and err.startswith(
        f"error: {named} is a symbolic link to moved.png, which does not exist; "), err


def test_info_command_of_a_linked_image_writes_beside_the_link(files, tmp_path, monkeypatch, capsys):
    """Its --output was beside the link's target and named after it (drawn/out-2.png), where the help says
    "to a new name beside it (IMAGE-2.png, ...)"."""
    d, _ = files
    (tmp_path / "drawn").mkdir()
    record = {"config": StyleConfig().to_dict(), "model": "vgg19",
              "inputs": {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")]}}
    save_png(tmp_path / "drawn" / "out.png", np.zeros((4, 4, 3)), record)
    (tmp_path / "mine.png").symlink_to(tmp_path / "drawn" / "out.png")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(["info", "mine.png", "--command"], monkeypatch, capsys)
    argv = shlex.split(out)
    assert code == 0 and argv[argv.index("--output") + 1] == str(tmp_path / "mine-2.png"), (out, err)


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_model_file_is_named_as_typed_and_run_by_its_resolved_path(command, files, tmp_path, monkeypatch, capsys):
    """--model was made absolute as it was parsed: "/abs/photo.jpg is not a readable safetensors file", "weights
    file /abs/gone.safetensors does not exist"."""
    d, model = files
    (tmp_path / "link.safetensors").symlink_to(model)
    (moved := tmp_path / "moved.safetensors").symlink_to(tmp_path / "was-here.safetensors")  # its file moved away
    monkeypatch.chdir(d.parent)
    photo, painting = f"{d.name}/photo.jpg", f"{d.name}/paint.png"
    for given, says in ((photo, f"error: {photo} is not a readable safetensors file"),
                        ("gone.safetensors", "error: weights file gone.safetensors does not exist"),
                        (str(moved), f"error: weights file {moved} is a symbolic link to "
                                     f"{tmp_path / 'was-here.safetensors'}, which does not exist")):
        code, _, err = run_main([command, photo, painting, "--model", given, "--dry-run"], monkeypatch, capsys)
        assert code == 2 and err.startswith(says), err
    seen = []  # the model the run records and checkpoints: the file's resolved path
    job = ("jaxart.job.stylize_files", lambda *a, **kw: seen.append(kw["model"]) or (_ for _ in ()).throw(SystemExit(3)))
    if command == "sweep":
        job = ("jaxart.sweep_job.run", lambda cmd, *a, **kw: seen.append(cmd.model) or (_ for _ in ()).throw(SystemExit(3)))
    monkeypatch.setattr(*job)
    code, _, err = run_main([command, photo, painting, "-o", str(tmp_path / "out.png"), "--model",
                             str(tmp_path / "link.safetensors"), "--size", "32", "--steps", "2", "-q"], monkeypatch, capsys)
    assert code == 3 and seen == [model], err


def test_a_sweeps_captions_name_linked_files_as_given_and_its_record_keeps_them_resolved(tmp_path):
    """The sheet's header and the page named a linked painting, mask or --init image by its target ("in the style of
    target-starry.jpg (red) ... by the regions of target-mask.png"), from the record's resolved paths."""
    from jaxart import sheet, sweep
    from jaxart.image_record import read_record

    drawn = tmp_path / "drawn"
    record = {"inputs": {"content": str(drawn / "target-photo.jpg"),
                         "styles": [str(drawn / "target-starry.jpg"), str(drawn / "b.jpg")]}, "model": "vgg19"}
    config = StyleConfig(size=6, mask=str(drawn / "target-mask.png"), region_colors=("red", "blue"),
                         init=str(drawn / "target-start.png"))
    given = {str(drawn / f"target-{k}"): v for k, v in (("photo.jpg", "photo.jpg"), ("starry.jpg", "my-starry.jpg"),
                                                          ("mask.png", "LINK.png"), ("start.png", "start.png"))}
    settings = sweep.grid(style_weights=[1.0, 10.0])
    sheet.write(tmp_path / "g.png", np.zeros((2, 6, 6, 3)), settings, config, record, given=given)
    page = (tmp_path / "g.html").read_text().partition("<pre")[0]  # the captions; each tile's record follows
    assert "photo.jpg in the style of my-starry.jpg (red) and b.jpg (blue) by the regions of LINK.png" in page, page
    assert "init start.png" in page and "target-" not in page, page
    kept = read_record(tmp_path / "g-00.png")
    assert kept["inputs"] == record["inputs"] and kept["config"]["mask"] == config.mask


def test_a_sweep_gives_its_typed_mask_and_init_to_the_captions(files, tmp_path, monkeypatch, capsys):
    d, model = files
    _linked_mask(tmp_path)
    (tmp_path / "start.png").symlink_to(d / "paint.png")
    monkeypatch.chdir(tmp_path)
    seen = []  # what the sweep is given: the run itself is not what is tested
    monkeypatch.setattr("jaxart.sweep_job.run", lambda cmd, *a, **kw: seen.append(kw["given"]) or (
        _ for _ in ()).throw(SystemExit(3)))
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), "-o", "g.png", "--model", model, "--size", "32",
                             "--steps", "2", "-q", "--style-weight", "1,2", "--init", "start.png", "--mask",
                             "LINK.png", "--region-style", f"red={d / 'paint.png'}"], monkeypatch, capsys)
    assert code == 3 and seen == [{str(d / "paint.png"): "start.png",
                                   str(tmp_path / "drawn" / "target-mask.png"): "LINK.png"}], err
