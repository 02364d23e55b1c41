"""A newcomer's first mistakes, from the README's first lines: each is one line on stderr that says what to
type instead, exit 2, and nothing written."""

import shlex

import pytest

from jaxart import model_choice

from conftest import run_main, write_tiny_job, stylize_argv


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("newcomer"))


@pytest.fixture
def no_weights(monkeypatch):
    """Every mistake here is found before any weights load (or download)."""
    monkeypatch.setattr(model_choice, "resolve_model", lambda *a, **k: pytest.fail("the weights were loaded"))


def _refused(argv, tmp_path, monkeypatch, capsys) -> str:
    """The one line `argv` ends with, checked to be a refusal that leaves `tmp_path` empty."""
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("error: "), (code, err)
    assert not list(tmp_path.iterdir())
    return err


def test_files_without_the_stylize_command_say_to_give_it(files, no_weights, tmp_path, monkeypatch, capsys):
    d, _ = files
    argv = [str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "o.png")]
    err = _refused(argv, tmp_path, monkeypatch, capsys)
    # was "No such command '.../photo.jpg'.", then `jaxart stylize .../photo.jpg PAINTING`: the painting given dropped
    assert f"to paint a photo: `jaxart stylize {shlex.join(argv)}`" in err, err


def test_the_stylize_to_type_quotes_a_path_with_a_space(tmp_path, no_weights, monkeypatch, capsys):
    photo = tmp_path / "my photo.jpg"
    err = _refused([str(photo)], tmp_path, monkeypatch, capsys)
    # was `jaxart stylize .../my photo.jpg PAINTING`, which the shell splits into two files
    assert f"to paint a photo: `jaxart stylize {shlex.quote(str(photo))} PAINTING`" in err, err


def test_a_painting_given_by_its_web_address_says_to_download_it(files, no_weights, tmp_path, monkeypatch, capsys):
    url = "https://upload.wikimedia.org/wikipedia/commons/starry_night.jpg"
    err = _refused([*stylize_argv(files, tmp_path / "o.png")[:2], url, *stylize_argv(files, tmp_path / "o.png")[3:]],
                   tmp_path, monkeypatch, capsys)
    # was "https:/upload.wikimedia.org/... does not exist; check the path": the address mangled, the advice wrong
    assert err == (f"error: Invalid value for STYLE: {url} is a web address; jaxart reads files: download it and "
                   "give the file's path"), err


@pytest.mark.parametrize("option", ["--init", "--mask", "--model"])
def test_any_file_given_by_its_web_address_says_to_download_it(option, files, no_weights, tmp_path, monkeypatch,
                                                               capsys):
    url = "https://upload.wikimedia.org/wikipedia/commons/init.png"
    err = _refused(stylize_argv(files, tmp_path / "o.png", option, url), tmp_path, monkeypatch, capsys)
    # was "init 'https://...' does not exist", "mask '.../https:/...' is not a file", "weights file ... does not exist"
    assert err.endswith(f"{url} is a web address; jaxart reads files: download it and give the file's path"), err


@pytest.mark.parametrize("where", ["CONTENT", "STYLE", "-o", "--animate", "--init", "--mask", "--resume"])
def test_an_empty_path_says_it_is_empty(where, files, no_weights, tmp_path, monkeypatch, capsys):
    argv = stylize_argv(files, tmp_path / "o.png")
    if where in ("CONTENT", "STYLE", "-o"):
        argv[{"CONTENT": 1, "STYLE": 2, "-o": 4}[where]] = ""
    else:
        argv += [where, ""]
    err = _refused(argv, tmp_path, monkeypatch, capsys)
    # was ". is a folder, not an image" (Path("") is "."), "output . is a folder", "init '' does not exist"
    assert "the path is empty; give " in err and ". is a folder" not in err, err


def test_a_photo_alone_is_told_what_to_add_without_click_s_preamble(files, no_weights, tmp_path, monkeypatch, capsys):
    d, model = files
    err = _refused(["stylize", str(d / "photo.jpg"), "-o", str(tmp_path / "o.png"), "--model", model],
                   tmp_path, monkeypatch, capsys)
    # was "error: Invalid value: give the CONTENT ...", as if some value had been given wrong
    assert err == "error: give the CONTENT photo and at least one STYLE painting, or --resume CHECKPOINT", err


def _help(*command: str) -> str:
    from typer.testing import CliRunner

    import cli

    return CliRunner().invoke(cli.app, [*command, "--help"], env={"COLUMNS": "80"}).output


def test_help_says_what_the_layer_options_default_to_and_no_python_types():
    text = " ".join(_help("stylize").split())  # the help wraps long lines
    assert "[default: relu4_2]" in text and "[default: relu1_1,relu2_1,relu3_1,relu4_1,relu5_1]" in text, text
    assert "--region-style <COLOUR=PAINTING>" in text and "<list[str]>" not in text, text  # was <list[str]>


@pytest.mark.parametrize("command, usage", [
    (["info"], "info [OPTIONS] {IMAGE}"), (["weights", "fetch"], "fetch [OPTIONS] {NAME}"),
    (["weights", "convert"], "convert [OPTIONS] {FILE}"), (["weights", "normalize"], "normalize [OPTIONS] {NAME}"),
    (["weights", "verify"], "verify [OPTIONS] [NAME]"), (["weights", "remove"], "remove [OPTIONS] {NAME}"),
    (["weights", "path"], "path [OPTIONS] {NAME}"),
])
def test_usage_lines_name_the_arguments_as_the_readme_does(command, usage):
    """`jaxart info OUT.png`, `weights fetch NAME`, `weights convert FILE --name NAME`: was {image}, {name}, {path}."""
    assert usage in _help(*command).splitlines()[0], _help(*command)


def test_the_feedforward_example_says_its_painting_comes_first(capsys):
    """`examples/feedforward.py STYLE.jpg PHOTO.jpg ...` takes the painting first, unlike `jaxart stylize`: its
    help said only "style photos", and most options nothing, not even their defaults."""
    import re
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import feedforward
    finally:
        sys.path.remove(str(ROOT / "examples"))
    with pytest.raises(SystemExit):
        feedforward.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "STYLE PHOTO [PHOTO ...]" in text and "STYLE the painting whose style the network learns" in text, text
    for option in ("--model", "--steps", "--size", "--batch", "--learning-rate", "--style-weight", "--output"):
        assert re.search(rf"{option} [A-Z_]+ ((?! --[a-z-]+ [A-Z_]+ ).)*?\(default: ", text), option  # before the next


def test_a_thumbnail_painting_is_warned_of_once(files, tmp_path, monkeypatch, capsys):
    """A 4x4 painting enlarged 8x to the output's 32 px gives a flat wash, not strokes: it ran without a word."""
    from PIL import Image

    thumb = tmp_path / "thumb.png"
    Image.new("RGB", (4, 4), (200, 120, 40)).save(thumb)
    argv = stylize_argv(files, tmp_path / "o.png")
    code, _, err = run_main([*argv[:2], str(thumb), *argv[3:]], monkeypatch, capsys)
    assert code == 0 and err == (f"warning: painting {thumb} is 4 px on its long side and is enlarged 8.0x to 32 px "
                                 "(--size x --style-scale), which blurs its strokes away: use a copy of it 32 px or "
                                 "larger"), err
    code, _, err = run_main(stylize_argv(files, tmp_path / "p.png"), monkeypatch, capsys)  # 20 px to 32: no word
    assert code == 0 and err == "", err


def test_a_thin_painting_is_told_it_is_enlarged_for_its_short_side(files, tmp_path, monkeypatch, capsys):
    """A 40x2 strip is enlarged 8x to 320 px for a 16 px short side, not to --size 32: it was told "(--size x
    --style-scale)" and to use a copy 320 px long, as thin and as enlarged."""
    from PIL import Image

    strip = tmp_path / "strip.png"
    Image.new("RGB", (40, 2), (200, 120, 40)).save(strip)
    argv = stylize_argv(files, tmp_path / "o.png")
    code, _, err = run_main([*argv[:2], str(strip), *argv[3:]], monkeypatch, capsys)
    assert code == 0 and err == (f"warning: painting {strip} is 40x2 px and is enlarged 8.0x to 320 px on its long "
                                 "side so that its short side reaches 16 px, the least VGG's deepest layers read, "
                                 "which blurs its strokes away: use a copy of it at least 16 px on its short side"), err


def test_a_painting_given_twice_to_blend_is_warned_of(files, tmp_path, monkeypatch, capsys):
    """`jaxart stylize photo.jpg starry.jpg starry.jpg`, a slip for a second painting, ran without a word: the blend
    of a painting with itself paints as that painting alone. A copy under another name is the same picture; a
    different painting says nothing."""
    import shutil

    from PIL import Image

    argv = stylize_argv(files, tmp_path / "o.png", "--dry-run")
    paint, copy, other = argv[2], tmp_path / "copy.png", tmp_path / "other.png"
    shutil.copy(paint, copy)
    Image.new("RGB", (20, 20), (30, 60, 200)).save(other)
    said = "so the blend counts it twice (with no other painting, it paints as itself alone); give each painting "
    for extra, err_is in (
        (paint, f"warning: painting {paint} is given twice, {said}once, and --style-blend to weigh them"),
        (str(copy), f"warning: painting {copy} is the same picture as {paint}, {said}once, and --style-blend to "
                    "weigh them"),
        (str(other), ""),
    ):
        code, _, err = run_main([*argv[:3], extra, *argv[3:]], monkeypatch, capsys)
        assert (code, err) == (0, err_is)
    assert not (tmp_path / "o.png").exists()
