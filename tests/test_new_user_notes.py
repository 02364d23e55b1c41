"""A newcomer's settings that would change nothing in the first hour (test_new_user_slips.py has the refused
slips): each is warned of in one line and the run goes on, and one that does change the picture is not."""

import pytest

from conftest import run_main


SEED_NOTE = ("warning: --seed has no effect with --init content: the run starts from the photo, with nothing random, "
             "so every seed gives the same picture; a seed sets the noise of --init random")


def test_a_seed_that_changes_nothing_is_said_to(tmp_path, monkeypatch, capsys):
    from PIL import Image
    import numpy as np

    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    code, _, err = run_main(stylize_argv(files, tmp_path / "s5.png", "--seed", "5"), monkeypatch, capsys)
    # was no word: an artist's `--seed 5` for a variation gave the very pixels of seed 0
    assert (code, err) == (0, SEED_NOTE), err
    code, _, err = run_main(stylize_argv(files, tmp_path / "s0.png"), monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert np.array_equal(np.asarray(Image.open(tmp_path / "s5.png")), np.asarray(Image.open(tmp_path / "s0.png")))
    code, _, err = run_main(stylize_argv(files, tmp_path / "r.png", "--seed", "5", "--init", "random"), monkeypatch,
                            capsys)
    assert code == 0 and "--seed" not in err, err


def test_a_sweep_of_one_seed_from_the_photo_is_warned_of_too(tmp_path, monkeypatch, capsys):
    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    argv = ["sweep", *stylize_argv(files, tmp_path / "g.png", "--seed", "3", "--style-weight", "1,10")[1:]]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert (code, err) == (0, SEED_NOTE), err


BACKGROUND_NOTE = ("warning: --background red has no effect: the photo and painting have no transparency (no alpha "
                   "band, nor a transparent colour), so every background gives the same picture; it is the colour "
                   "under transparent pixels")


def test_a_background_that_changes_nothing_is_said_to(tmp_path, monkeypatch, capsys):
    from PIL import Image
    import numpy as np

    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    code, _, err = run_main(stylize_argv(files, tmp_path / "red.png", "--background", "red"), monkeypatch, capsys)
    # was no word: an opaque JPEG photo and PNG painting, and the picture of the default white
    assert (code, err) == (0, BACKGROUND_NOTE), err
    code, _, err = run_main(stylize_argv(files, tmp_path / "white.png"), monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert np.array_equal(np.asarray(Image.open(tmp_path / "red.png")), np.asarray(Image.open(tmp_path / "white.png")))
    argv = ["sweep", *stylize_argv(files, tmp_path / "g.png", "--background", "red", "--style-weight", "1,10")[1:]]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert (code, err) == (0, BACKGROUND_NOTE), err


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_a_background_under_a_transparent_painting_is_not_warned_of(mode, tmp_path, monkeypatch, capsys):
    from PIL import Image

    from conftest import stylize_argv, write_tiny_job

    d, model = files = write_tiny_job(tmp_path / "job")
    with Image.open(d / "paint.png") as img:
        painting = img.convert("RGBA")
    painting.putpixel((0, 0), (0, 0, 0, 0))
    # P: a palette with one transparent entry (a GIF's, or a PNG's tRNS chunk)
    painting = painting.convert("P") if mode == "P" else painting.convert(mode)
    if mode == "P":
        painting.info["transparency"] = painting.getpixel((0, 0))
    painting.save(d / "paint.png", **({"transparency": painting.info["transparency"]} if mode == "P" else {}))
    code, _, err = run_main(stylize_argv(files, tmp_path / "o.png", "--background", "red"), monkeypatch, capsys)
    assert (code, err) == (0, ""), err


def test_match_luminance_given_with_another_colour_mode_is_said_to_do_nothing(tmp_path, monkeypatch, capsys):
    from conftest import stylize_argv, write_tiny_job

    files = write_tiny_job(tmp_path / "job")
    code, _, err = run_main(stylize_argv(files, tmp_path / "k.png", "--colors", "keep", "--match-luminance"),
                            monkeypatch, capsys)
    # was no word, where --no-match-luminance with keep is refused: the flag looked like it matched keep's luminance
    assert (code, err) == (0, "warning: --match-luminance has no effect with --colors keep; it scales the painting's "
                              "luminance to the photo's for --colors luminance"), err
    code, _, err = run_main(stylize_argv(files, tmp_path / "l.png", "--colors", "luminance", "--match-luminance"),
                            monkeypatch, capsys)
    assert (code, err) == (0, "")
