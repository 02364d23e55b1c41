"""A hobbyist's first hour with the command line, past test_new_user*.py: a value typed after an on/off flag is refused
in one line that says what to type instead, exit 2, nothing written; `--version` and `-h` answer; the photo given as
its own painting is warned of."""

import pytest

from conftest import run_main, stylize_argv, write_tiny_job


@pytest.mark.parametrize(("command", "typed", "line"), [
    ("stylize", ["--overwrite", "yes"], "yes after --overwrite was taken for a file; --overwrite takes no value: "
     "give --overwrite or --no-overwrite alone"),
    ("stylize", ["-q", "true"], "true after -q was taken for a file; -q takes no value: give --quiet alone"),
    ("sweep", ["--overwrite", "no"], "no after --overwrite was taken for a file; --overwrite takes no value: "
     "give --overwrite or --no-overwrite alone"),
])
def test_a_value_given_to_a_flag_is_named_as_such(command, typed, line, tmp_path, monkeypatch, capsys):
    files = write_tiny_job(tmp_path / "job")
    monkeypatch.chdir(tmp_path)
    argv = [command, *typed, *stylize_argv(files, "o.png")[1:]]
    code, _, err = run_main(argv, monkeypatch, capsys)
    # was "error: yes does not exist; check the path and the current folder": no word of the flag
    assert (code, err) == (2, f"error: {line}"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job"]


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_value_given_to_a_flag_beside_resume_is_named_as_such(command, tmp_path, monkeypatch, capsys):
    """It said "the checkpoint names the content, styles and model; give no CONTENT or STYLE with it", where none
    was given: `yes` was taken for the photo."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "o.ckpt.npz").write_bytes(b"")
    code, _, err = run_main([command, "--resume", "o.ckpt.npz", "--quiet", "yes"], monkeypatch, capsys)
    assert (code, err) == (2, "error: yes after --quiet was taken for a file; --quiet takes no value: give --quiet "
                              "alone"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.ckpt.npz"]


@pytest.mark.parametrize(("command", "flag"), [("stylize", "--steps"), ("sweep", "--style-weight")])
def test_a_list_given_with_spaces_beside_resume_is_named_as_such(command, flag, tmp_path, monkeypatch, capsys):
    """`--resume o.ckpt.npz --steps 100 200` said "the checkpoint names the content, styles and model; give no CONTENT
    or STYLE with it", where none was given: 200 was taken for the photo, as a flag's value was."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "o.ckpt.npz").write_bytes(b"")
    code, _, err = run_main([command, "--resume", "o.ckpt.npz", flag, "100", "200"], monkeypatch, capsys)
    assert (code, err) == (2, f"error: 200 after {flag} 100 was taken for a file; a list's items are separated by "
                              f"commas, without spaces: {flag} 100,200"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.ckpt.npz"]


def test_a_missing_photo_after_a_flag_is_still_called_missing(tmp_path, monkeypatch, capsys):
    files = write_tiny_job(tmp_path / "job")
    monkeypatch.chdir(tmp_path)
    argv = stylize_argv(files, "o.png")
    code, _, err = run_main([argv[0], "--overwrite", "gone.jpg", *argv[2:]], monkeypatch, capsys)
    assert (code, err) == (2, "error: gone.jpg does not exist; check the path and the current folder"), err


def test_version_prints_jaxarts_version(monkeypatch, capsys):
    import jaxart

    # was "error: `jaxart` has no option --version; see `jaxart --help` for its options", exit 2
    assert run_main(["--version"], monkeypatch, capsys) == (0, f"jaxart {jaxart.__version__}\n", "")
    assert "--version" in run_main(["--help"], monkeypatch, capsys)[1]


@pytest.mark.parametrize("command", [[], ["stylize"], ["weights", "fetch"]])
def test_dash_h_is_help(command, monkeypatch, capsys):
    code, text, err = run_main([*command, "--help"], monkeypatch, capsys)
    assert code == 0 and text.startswith("Usage: ")
    # was "error: `jaxart` has no option -h; see `jaxart --help` for its options", exit 2
    assert run_main([*command, "-h"], monkeypatch, capsys) == (0, text, err)


PHOTO_NOTE = ("warning: painting {name} is {said}: its style is the photo's own, so the run gives the photo back "
              "nearly as it is; give a painting as STYLE")


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_the_photo_given_as_its_own_painting_is_warned_of(command, tmp_path, monkeypatch, capsys):
    import shutil

    files = write_tiny_job(tmp_path / "job")
    photo = str(tmp_path / "job" / "photo.jpg")
    copy = shutil.copy(photo, tmp_path / "copy.jpg")
    extra = ["--dry-run", *(["--style-weight", "1,10"] if command == "sweep" else [])]
    argv = [command, *stylize_argv(files, tmp_path / "o.png", *extra)[1:]]
    # was no word: the run gave the photo back nearly as it was (6.5 of 255 off on average at 128 px, 100 steps)
    for painting, said in ((photo, "the photo"), (str(copy), f"a copy of the photo {photo}")):
        code, _, err = run_main([*argv[:2], painting, *argv[3:]], monkeypatch, capsys)
        assert code == 0 and err.splitlines()[0] == PHOTO_NOTE.format(name=painting, said=said), err
    code, _, err = run_main(argv, monkeypatch, capsys)  # its own painting: no word
    assert code == 0 and "warning" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.jpg", "job"]


@pytest.mark.parametrize(("command", "extra", "effect"), [
    ("stylize", [], "the blend draws the picture back toward the photo; leave it out of STYLE"),
    ("sweep", ["--style-weight", "1,10"], "the blend draws the picture back toward the photo; leave it out of STYLE"),
    ("sweep", ["--each-painting"], "the run gives the photo back nearly as it is; give a painting as STYLE"),
])
def test_the_photo_given_beside_a_painting_is_said_to_draw_the_blend_back(command, extra, effect, tmp_path,
                                                                          monkeypatch, capsys):
    """Blended with a painting, the photo does not give itself back: it said so, where the picture lay between the
    two (Tübingen with itself and The Starry Night, 64 px, 30 steps: 10.3 of 255 from the photo on average, where
    itself alone gave 7.1 and The Starry Night alone 17.1). Each painting of --each-painting paints alone."""
    files = write_tiny_job(tmp_path / "job")
    photo = str(tmp_path / "job" / "photo.jpg")
    argv = stylize_argv(files, tmp_path / "o.png", "--dry-run", *extra)
    code, _, err = run_main([command, photo, photo, *argv[2:]], monkeypatch, capsys)
    assert code == 0 and err.splitlines()[0] == (f"warning: painting {photo} is the photo: its style is the photo's "
                                                 f"own, so {effect}"), err


def test_the_photo_given_twice_under_two_names_is_said_to_come_back(tmp_path, monkeypatch, capsys):
    """`photo.jpg photo.jpg link.jpg`, the link to the photo: no painting but the photo, so it comes back; the
    warning said the blend draws the picture back toward the photo and to leave photo.jpg out, which leaves link.jpg,
    the photo again. Which paintings are the photo is by file, not by name."""
    files = write_tiny_job(tmp_path / "job")
    photo, link = str(tmp_path / "job" / "photo.jpg"), tmp_path / "link.jpg"
    link.symlink_to(photo)
    argv = stylize_argv(files, tmp_path / "o.png", "--dry-run")
    code, _, err = run_main(["stylize", photo, photo, str(link), *argv[3:]], monkeypatch, capsys)
    assert code == 0 and (f"warning: painting {photo} is the photo: its style is the photo's own, so the run gives the "
                          "photo back nearly as it is; give a painting as STYLE") in err.splitlines(), err


@pytest.mark.parametrize(("typed", "line"), [
    # was "`jaxart stylize` has no option --version; see `jaxart stylize --help` for its options"
    (["stylize", "--version"], "`jaxart stylize` has no option --version (did you mean `jaxart --version`?); see "
     "`jaxart stylize --help` for its options"),
    (["weights", "fetch", "--version"], "`jaxart weights fetch` has no option --version (did you mean `jaxart "
     "--version`?); see `jaxart weights fetch --help` for its options"),
    # was "`jaxart` has no command version; see `jaxart --help` for its commands"
    (["version"], "`jaxart` has no command version (did you mean `jaxart --version`?); see `jaxart --help`"),
])
def test_version_asked_of_a_command_points_to_jaxarts_own(typed, line, monkeypatch, capsys):
    assert run_main(typed, monkeypatch, capsys) == (2, "", f"error: {line}")
