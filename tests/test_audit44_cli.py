"""An audit of the last hour's features from the command line: a sweep's seed refusal in the words of whoever
asked (flags and the list as typed on the CLI, fields from Python), a sheet's header naming --shrink-batch, and
--no-match-luminance named as typed when refused."""

import pytest

from jaxart import StyleConfig, captions, sweep

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("audit44"), "vgg16")


def test_seeds_without_a_random_start_are_refused_with_the_flags_as_typed(files, tmp_path, monkeypatch, capsys):
    """It said "seeds 0, 1 ... use init='random' (--init random)": Python's words and list on the command line."""
    d, model = files
    argv = ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(tmp_path / "g.png"),
            "--model", model, "--size", "24", "--steps", "2", "--seed", "0,1"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.strip() == ("error: --seed 0,1 would give identical images: a seed only sets a random "
                                         "start, and --init is 'content'; use --init 'random', or give one seed"), err
    assert not list(tmp_path.iterdir())


def test_seeds_without_a_random_start_are_refused_in_library_words():
    with pytest.raises(ValueError) as e:
        sweep.check(StyleConfig(size=32), sweep.grid([1.0], [1.0], [1.0], seeds=[0, 1]))
    assert str(e.value) == ("seeds 0,1 would give identical images: a seed only sets a random start, and init is "
                            "'content'; use init 'random', or give one seed")
    assert "--" not in str(e.value)


def test_the_sheet_header_names_shrink_batch_as_it_names_tolerance():
    """`info grid.png --command` gives --shrink-batch back, and it changes the running tiles' rounding, but the
    header that lists the settings every tile shares left it out."""
    config = StyleConfig(size=64, steps=5)
    assert captions.held(config, {"tolerance": 0.05, "shrink_batch": True}).endswith("tolerance 0.05, shrink-batch")
    assert "shrink" not in captions.held(config, {"tolerance": 0.05})


@pytest.mark.parametrize("colors", ["style", "keep"])
def test_no_match_luminance_with_another_mode_is_refused_naming_the_flag_typed(colors, files, tmp_path, monkeypatch,
                                                                              capsys):
    """It said "--match-luminance off ..., so leave it on" to a user who typed --no-match-luminance."""
    d, model = files
    argv = ["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(tmp_path / "o.png"),
            "--model", model, "--size", "24", "--steps", "2", "--colors", colors, "--no-match-luminance"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.strip() == (f"error: --no-match-luminance is for --colors luminance only (the painting's "
                                         f"luminance left unscaled); --colors {colors} matches no luminance, so drop "
                                         "--no-match-luminance"), err
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match=r"^match_luminance=False is for colors luminance only .* so drop "
                                         r"match_luminance=False$"):
        StyleConfig(colors=colors, match_luminance=False).validate()
