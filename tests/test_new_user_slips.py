"""A newcomer's slips in the first hour, past the README's first lines (test_new_user.py has those): a refused
one is answered with one line that says what to type instead, exit 2, nothing written (a setting that would
change nothing: test_new_user_notes.py)."""

import pytest

from conftest import run_main


@pytest.mark.parametrize(("argv", "line"), [
    (["stylise", "photo.jpg", "painting.jpg"],
     "`jaxart` has no command stylise (did you mean stylize?); see `jaxart --help`"),
    (["swep", "photo.jpg"], "`jaxart` has no command swep (did you mean sweep?); see `jaxart --help`"),
    (["weights", "lst"], "`jaxart weights` has no command lst (did you mean list?); see `jaxart weights --help`"),
    (["draw"], "`jaxart` has no command draw; see `jaxart --help` for its commands"),
])
def test_a_misspelt_command_is_named_with_its_close_spelling(argv, line, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(argv, monkeypatch, capsys)
    # was "`jaxart` has no command stylise'. Did you mean 'stylize'?: give a command before the files; to paint a
    # photo: `jaxart stylize 'stylise'"'"'. Did you mean ..." (click's guess taken for a file's name); "foo" quoted
    assert (code, err) == (2, f"error: {line}"), err
    assert not list(tmp_path.iterdir())


def test_a_file_named_like_a_command_still_gets_the_stylize_to_type(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(["stylize.jpg", "starry.jpg"], monkeypatch, capsys)
    # click guessed 'stylize' for it, and the line was garbled as above
    assert (code, err) == (2, "error: `jaxart` has no command stylize.jpg: give a command before the files; to paint "
                              "a photo: `jaxart stylize stylize.jpg starry.jpg`; see `jaxart --help`"), err


@pytest.mark.parametrize(("name", "start"), [("vgg19_notop.h5", b"\x89HDF\r\n\x1a\n"),
                                             ("vgg19-dcbb9e9d.pth", b"PK\x03\x04")])
def test_a_downloaded_h5_or_pth_given_to_model_says_to_convert_it(name, start, tmp_path, monkeypatch, capsys):
    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    source = tmp_path / name
    source.write_bytes(start + bytes(4096))
    argv = stylize_argv(files, tmp_path / "o.png")
    code, _, err = run_main([*argv[:argv.index("--model") + 1], str(source), *argv[argv.index("--model") + 2:]],
                            monkeypatch, capsys)
    # was "... is not a readable safetensors file (Error while deserializing header: header too large); convert
    # it first: ...": a parser's complaint about a file the user never meant as safetensors
    assert (code, err) == (2, f"error: {source} is a {source.suffix} file, not converted weights; convert it first: "
                              f"jaxart weights convert {source} --name NAME"), err
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize(("command", "typed", "line"), [
    ("sweep", ["--style-weight", "1", "10", "100"], "10 100 after --style-weight 1 were taken for files; a list's "
     "items are separated by commas, without spaces: --style-weight 1,10,100"),
    ("sweep", ["--seed=1", "2", "--init", "random"], "2 after --seed 1 was taken for a file; a list's items are "
     "separated by commas, without spaces: --seed 1,2"),
    ("stylize", ["--scales", "24", "32"], "32 after --scales 24 was taken for a file; a list's items are separated "
     "by commas, without spaces: --scales 24,32"),
    ("stylize", ["--style-layers", "relu1_1", "relu2_1"], "relu2_1 after --style-layers relu1_1 was taken for a file; "
     "a list's items are separated by commas, without spaces: --style-layers relu1_1,relu2_1"),
    ("stylize", ["--style-weight", "1", "10"], "10 after --style-weight 1 was taken for a file; --style-weight takes "
     "one value (`jaxart sweep` compares several, comma-separated)"),
])
def test_a_list_typed_with_spaces_is_named_as_such(command, typed, line, tmp_path, monkeypatch, capsys):
    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    monkeypatch.chdir(tmp_path)
    argv = [command, *stylize_argv(files, tmp_path / "o.png")[1:3], *typed, *stylize_argv(files, "o.png")[3:]]
    code, _, err = run_main(argv, monkeypatch, capsys)
    # was "error: 10 does not exist; check the path and the current folder": advice about a file never meant
    assert (code, err) == (2, f"error: {line}"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job"]


@pytest.mark.parametrize(("typed", "line"), [
    (["--style-weight", "1,10"], "--style-weight: give a number (e.g. --style-weight 10.0); --style-weight takes one"),
    (["--seed=1,2"], "--seed: give a whole number (e.g. --seed 0); --seed takes one"),
])
def test_a_sweeps_comma_list_given_to_stylize_points_to_sweep(typed, line, tmp_path, monkeypatch, capsys):
    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    code, _, err = run_main(stylize_argv(files, tmp_path / "o.png", *typed), monkeypatch, capsys)
    assert (code, err) == (2, f"error: Invalid value for {line} value (`jaxart sweep` compares several, "
                              "comma-separated)"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job"]


def test_the_swept_flags_named_for_a_spaced_list_are_sweeps_own():
    """values.SWEPT is written out for stylize's hint; a flag `jaxart sweep` swept without being in it would get
    "takes one value" where it takes a list, one in it no longer swept a hint to a sweep that cannot do it."""
    import typer

    import cli
    from jaxart_cli.values import SWEPT

    sweep = typer.main.get_command(cli.app).commands["sweep"]
    swept = {max(p.opts, key=len) for p in sweep.params if "its values add up" in (getattr(p, "help", "") or "")}
    assert swept == set(SWEPT)


def test_a_missing_painting_is_still_called_missing(tmp_path, monkeypatch, capsys):
    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    monkeypatch.chdir(tmp_path)
    argv = stylize_argv(files, "o.png", "--scales", "24,32")
    code, _, err = run_main([*argv[:3], "2.jpg", *argv[3:]], monkeypatch, capsys)
    assert (code, err) == (2, "error: 2.jpg does not exist; check the path and the current folder"), err


def test_a_painting_named_with_a_trailing_space_says_so(tmp_path, monkeypatch, capsys):
    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    argv = stylize_argv(files, tmp_path / "o.png")
    spaced = f"{argv[2]} "
    code, _, err = run_main([*argv[:2], spaced, *argv[3:]], monkeypatch, capsys)
    # was "error: .../paint.png  does not exist; check the path": the space invisible, the path looking right
    assert (code, err) == (2, f"error: {spaced!r} does not exist: it has a space at its start or end, and {argv[2]} "
                              "exists; drop the space"), err
    assert not (tmp_path / "o.png").exists()


def test_several_regions_in_one_region_style_say_to_give_one_each(tmp_path, monkeypatch, capsys):
    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    paint = str(files[0] / "paint.png")
    argv = stylize_argv(files, tmp_path / "o.png")
    typed = f"red={paint},rgb(0,0,255)=photo"
    code, _, err = run_main([*argv[:2], *argv[3:], "--mask", paint, "--region-style", typed], monkeypatch, capsys)
    # was "error: .../paint.png,rgb(0,0,255)=photo does not exist; check the path and the current folder"
    assert (code, err) == (2, f"error: --region-style {typed!r} gives several regions in one; give --region-style "
                              f"once per colour: --region-style red={paint} --region-style 'rgb(0,0,255)=photo'"), err
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("typed", ["run.png", "run", "run.ckpt"])
def test_resume_given_the_image_or_a_shortened_name_points_to_the_checkpoint_beside(typed, tmp_path, monkeypatch,
                                                                                     capsys):
    import numpy as np

    monkeypatch.chdir(tmp_path)
    np.savez(tmp_path / "run.ckpt.npz", meta=np.array("{}"))
    (tmp_path / "run.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    code, _, err = run_main(["stylize", "--resume", typed], monkeypatch, capsys)
    # was "...; give the .ckpt.npz an interrupted run wrote", with run.ckpt.npz right there
    assert code == 2 and err.endswith("; give run.ckpt.npz, the checkpoint of that name there"), err


@pytest.mark.parametrize(("command", "typed", "fraction"), [("stylize", "0.2%", "0.002"), ("sweep", "1%", "0.01")])
def test_a_tolerance_typed_as_a_percentage_is_given_as_the_fraction(command, typed, fraction, tmp_path, monkeypatch,
                                                                     capsys):
    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    argv = [command, *stylize_argv(files, tmp_path / "o.png", "--tolerance", typed)[1:]]
    code, _, err = run_main(argv, monkeypatch, capsys)
    # was "give a number (e.g. --tolerance 0.0)": the help says "less than 0.1%", and 0.0 is off
    assert (code, err) == (2, f"error: Invalid value for --tolerance: {typed} is a percentage; give it as a "
                              f"fraction: --tolerance {fraction}"), err
