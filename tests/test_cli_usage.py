"""A usage error in words that say what to give (jaxart_cli/usage.py): an unknown option answered with the command's
own options, not click's loose guesses; an extra argument with what the command takes; an option after `--`; a value
of the wrong type; a word in another case with the word meant; each with the command's --help."""

import pytest

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("usage"))


@pytest.mark.parametrize("argv, expected", [
    # click said "(Possible options: --style-weight)" for --scales: sweep had no scales (it has no --animate), stylize does
    (["sweep", "a.jpg", "b.jpg", "--animate", "a.gif"],
     "`jaxart sweep` has no option --animate (an option of `jaxart stylize`); see `jaxart sweep --help`"),
    (["sweep", "--steps-per", "3"], "`jaxart sweep` has no option --steps-per (did you mean --steps?); see"),
    # click said "(Possible options: --help)", and for stylize "--colors, --help, --loop"
    (["sweep", "--lr", "3"], "`jaxart sweep` has no option --lr; see `jaxart sweep --help` for its options"),
    (["stylize", "--lr", "3"], "`jaxart stylize` has no option --lr; see `jaxart stylize --help` for its options"),
    (["weights", "list", "--quiet"], "`jaxart weights list` has no option --quiet; see `jaxart weights list --help`"),
    # neural-style's names for it: no hint was given, then --colors luminance, which paints from the painting's
    # light and dark alone, where neural-style's flags put the photo's colours back on a style run, as keep does
    (["stylize", "a.jpg", "b.jpg", "--preserve-colors"], "`jaxart stylize` has no option --preserve-colors (to keep "
                                                         "the photo's colours, give --colors keep, as neural-style "
                                                         "does, or --colors luminance); see"),
    (["sweep", "--original-colours"], "`jaxart sweep` has no option --original-colours (to keep the photo's colours, "
                                      "give --colors keep, as neural-style does, or --colors luminance); see `jaxart "
                                      "sweep --help`"),
    (["stylize", "--original_colors", "1"], "`jaxart stylize` has no option --original_colors (to keep the photo's "
                                            "colours, give --colors keep, as neural-style does, or --colors "
                                            "luminance); see"),  # neural-style-tf's: was none
])
def test_an_unknown_option_points_to_the_commands_help(argv, expected, monkeypatch, capsys):
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and out == "" and err.startswith(f"error: {expected}") and len(err.splitlines()) == 1, err


@pytest.mark.parametrize("argv, expected", [
    (["weights", "list", "extra"], "`jaxart weights list` takes no arguments, but was given 'extra'; see "
                                   "`jaxart weights list --help`"),
    (["weights", "fetch", "vgg16", "x", "y"], "`jaxart weights fetch` takes only NAME, but was also given 'x y'; see "
                                              "`jaxart weights fetch --help`"),
    (["info", "a.png", "b.png"], "`jaxart info` takes only IMAGE, but was also given 'b.png'; see `jaxart info --help`"),
    (["bench", "x"], "`jaxart bench` takes no arguments, but was given 'x'; see `jaxart bench --help`"),
])
def test_an_extra_argument_says_what_the_command_takes_and_points_to_its_help(argv, expected, monkeypatch, capsys):
    """Click said only "Got unexpected extra argument(s) (extra)", with no hint of what to give instead."""
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and out == "" and err == f"error: {expected}", err


DASHES = "everything after `--` is read as a file's name, options too; put options before `--`"


@pytest.mark.parametrize("argv, expected", [
    # info said "-x.png could not be read (no such file)", weights normalize "weights name '-x-normalized' must start
    # with a letter or digit", as stylize, sweep and weights convert no longer did
    (["info", "--", "-x.png"], f"Invalid value for IMAGE: -x.png does not exist: {DASHES}"),
    (["stylize", "--", "a.png", "-x.png"], f"Invalid value for STYLE: -x.png does not exist: {DASHES}"),
    (["sweep", "--", "-x.png", "b.png"], f"Invalid value for CONTENT: -x.png does not exist: {DASHES}"),
    (["weights", "convert", "--name", "n", "--", "-x.h5"], f"Invalid value for FILE: -x.h5 does not exist: {DASHES}"),
    (["weights", "normalize", "--images", ".", "--", "-x.safetensors"],
     f"Invalid value for NAME: -x.safetensors does not exist: {DASHES}"),
    # an option after `--` beside the file: "takes only IMAGE, but was also given '--command'", "Missing option --name"
    (["info", "--", "a.png", "--command"], f"`jaxart info` takes only IMAGE, but was also given '--command': {DASHES}; "
                                           "see `jaxart info --help`"),
    (["weights", "convert", "--", "a.h5", "--name=n"], f"Missing option --name: {DASHES}; see `jaxart weights "
                                                       "convert --help`"),
    (["weights", "normalize", "--images", ".", "--", "vgg16", "--size", "64"],
     f"`jaxart weights normalize` takes only NAME, but was also given '--size 64': {DASHES}; see `jaxart weights "
     "normalize --help`"),
])
def test_an_option_after_dashes_is_said_to_be_read_as_a_file_by_every_command(argv, expected, tmp_path, monkeypatch,
                                                                             capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    for name in ("a.png", "a.h5"):
        (tmp_path / name).write_bytes(b"not read")
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and out == "" and err == f"error: {expected}", err
    code, out, err = run_main([a for a in argv if a != "--"][:-1] + ["--", "b.png"], monkeypatch, capsys)
    assert DASHES not in err, "only for an option after `--`"


@pytest.mark.parametrize("argv, expected", [
    (["info", "--", "a.png", "--command"], "`jaxart info` takes only IMAGE, but was also given '--command': "),
    (["weights", "convert", "--", "a.h5", "--name=n"], "Missing option --name: "),
])
def test_an_option_after_dashes_is_named_from_python(argv, expected, tmp_path, monkeypatch):
    """The check read sys.argv (pytest's here), not the words the app was given: it named no `--`."""
    from typer.testing import CliRunner

    import cli
    from jaxart_cli.command_names import command_path
    from jaxart_cli.usage import usage_message

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    for name in ("a.png", "a.h5"):
        (tmp_path / name).write_bytes(b"not read")
    result = CliRunner().invoke(cli.app, argv, standalone_mode=False)  # click's error kept, as a program's own
    assert usage_message(result.exception) == f"{expected}{DASHES}; see `{command_path(result.exception.ctx)} --help`"


@pytest.mark.parametrize("given", ["-o made", "--output newdir/"])
def test_weights_convert_to_a_folder_says_where_it_installs_and_converts_nothing(given, tmp_path, monkeypatch, capsys):
    """It installs by --name in the weights folder, which `-o` cannot choose: the refusal said only
    that the option does not exist, not where the weights go nor how to put them elsewhere."""
    (tmp_path / "made").mkdir()
    (tmp_path / "vgg.h5").write_bytes(b"not read")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "weights"))
    code, out, err = run_main(["weights", "convert", "vgg.h5", "--name", "mine", *given.split()], monkeypatch, capsys)
    assert code == 2 and not out and len(err.splitlines()) == 1, err
    assert (f"has no option {given.split()[0]}: it installs weights by name in the weights folder, {tmp_path / 'weights'}, "
            "where --model NAME finds them (set JAXART_WEIGHTS_DIR for another folder)") in err, err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["made", "vgg.h5"], "nothing is written"


@pytest.mark.parametrize("argv, said", [
    (["info"], "Missing argument IMAGE; see `jaxart info --help`"),
    (["stylize", "a.jpg", "b.jpg", "--size", "abc"], "Invalid value for --size: give a whole number"),
    (["stylize", "a.jpg", "b.jpg", "--style-weight", "x"], "give a number (e.g. --style-weight 10.0)"),
    (["bench", "--repeats", "x"], "give a whole number (e.g. --repeats 3)"),
    (["stylize", "a.jpg", "b.jpg", "--colors", "sepia"], "--colors: 'sepia' is not one of style, "),
    # int() and float() read 1_0 as 10: a slip taken as a number, run with the size or weight it happened to make
    (["stylize", "a.jpg", "b.jpg", "--size", "1_0"], "Invalid value for --size: give a whole number"),
    (["stylize", "a.jpg", "b.jpg", "--style-weight", "1_0"], "give a number (e.g. --style-weight 10.0)"),
    (["sweep", "a.jpg", "b.jpg", "--margin", "1_0"], "give a whole number (e.g. --margin 16)"),
    (["bench", "--sweep", "1_0", "--sizes", "x"], "give a whole number (e.g. --sweep 0)"),  # x: no bench on old code
    (["stylize", "a.jpg", "b.jpg", "--steps", "1_0"], "--steps: '1_0' is not a comma-separated list of whole numbers"),
    (["sweep", "a.jpg", "b.jpg", "--tv-weight", "1,1_0"], "'1,1_0' is not a comma-separated list of numbers"),
    # was "give a whole number" alone, where sweep's other options take lists
    (["sweep", "a.jpg", "b.jpg", "--size", "64,32"], "give a whole number; --size takes one value in a sweep, which "
     "compares values of --style-weight, --content-weight, --tv-weight, --seed or --style-scale (comma-separated)"),
])
def test_a_usage_error_says_what_to_give(argv, said, monkeypatch, capsys):
    """Typer's words were "Input should be a valid integer, unable to parse string as an integer",
    "Value error, 'sepia' is not one of ..." and a missing argument with no hint."""
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and not out and len(err.splitlines()) == 1 and said in err, err
    assert "Input should be" not in err and "Value error" not in err


# Every option that takes a word, with the word in another case: each keeps its case (a record, a file of that name),
# and says which word was meant. Only --init said anything, and it "does not exist"; the others listed the choices.
WORDS = [
    (["stylize", "a.jpg", "b.jpg", "--colors", "Luminance"], "Invalid value for --colors: 'Luminance' is not one of "
     "style, luminance, match-pca, match-chol, match-sym, keep (did you mean luminance?)"),
    (["stylize", "a.jpg", "b.jpg", "--optimizer", "Adam"], "Invalid value for --optimizer: 'Adam' is not one of lbfgs, "
     "adam (did you mean adam?)"),
    (["sweep", "a.jpg", "b.jpg", "--linesearch", "ZOOM"], "--linesearch: 'ZOOM' is not one of none, zoom (did you "
     "mean zoom?)"),
    (["stylize", "a.jpg", "b.jpg", "--loop", "Scan"], "--loop: 'Scan' is not one of auto, python, scan (did you mean "
     "scan?)"),
    (["sweep", "a.jpg", "b.jpg", "--conv", "winograd_bf16"], "(did you mean winograd-bf16?)"),
    (["stylize", "a.jpg", "b.jpg", "--pooling", "Avg"], "--pooling: 'Avg' is not one of max, avg (did you mean avg?)"),
    (["stylize", "a.jpg", "b.jpg", "--format", "PNG"], "--format: 'PNG' is not one of png, png16, tiff (did you mean "
     "png?)"),
    (["sweep", "a.jpg", "b.jpg", "--format", "Tiff"], "(did you mean tiff?)"),
    (["weights", "convert", "a.h5", "--name", "a", "--arch", "VGG16"], "(did you mean vgg16?)"),
    (["weights", "convert", "a.h5", "--name", "a", "--format", "Keras"], "(did you mean keras-h5?)"),
    (["stylize", "a.jpg", "b.jpg", "--model", "Auto"], "Invalid value for --model: 'Auto' is not auto, a model name "
     "or a .safetensors path (did you mean auto?)"),
    (["sweep", "a.jpg", "b.jpg", "--model", "AUTO"], "(did you mean auto?)"),
    (["bench", "--model", "Random"], "Invalid value for --model: 'Random' is not random (VGG19), a weight set's name or "
     "a .safetensors path (did you mean random?)"),
    (["bench", "--baseline", "Torch"], "--baseline 'Torch' is not one of torch (did you mean torch?)"),
    (["bench", "--loops", "python,Scan"], "--loops 'python,Scan' is not a list of python, scan, zoom (did you mean "
     "scan?)"),
    (["bench", "--conv", "Direct"], "(did you mean direct?)"),
    (["weights", "path", "VGG19"], "unknown model 'VGG19' (did you mean vgg19?); known models are "),
]


@pytest.mark.parametrize("argv, said", WORDS, ids=[" ".join(a[-3:]) for a, _ in WORDS])
def test_a_word_in_another_case_is_refused_naming_the_word_meant(argv, said, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and not out and len(err.splitlines()) == 1 and err.startswith("error: ") and said in err, err
    assert "'" not in err.partition(" is not one of ")[2], "the choices are listed bare, as before"


@pytest.mark.parametrize("command", ["stylize", "sweep"])
@pytest.mark.parametrize("init, said", [("Random", " (did you mean random?); give content or random"),
                                        ("content.png", "; give content or random")])  # a file's name: no word meant
def test_an_init_word_in_another_case_names_the_word_and_a_file_so_named_is_read(command, init, said, files, tmp_path,
                                                                                 monkeypatch, capsys):
    d, model = files
    monkeypatch.chdir(tmp_path)
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "--dry-run", "--init", init]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and not out and err == f"error: --init {init!r} does not exist{said}, or the path of an image " \
                                           "file (check the path and the current folder)", err
    (tmp_path / init).write_bytes((d / "photo.jpg").read_bytes())  # a photo named so: it is the start, not the word
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and out.startswith("dry run: "), err


@pytest.mark.parametrize("argv", [[], ["weights"]], ids=["jaxart", "weights"])
def test_a_command_given_alone_shows_its_help_not_an_error(argv, monkeypatch, capsys):
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.startswith("Usage: ") and "Commands:" in err and "error" not in err.lower(), err
