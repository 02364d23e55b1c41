"""The clear error before a run that cannot fit: the memory check, the free memory it compares with,
and the size, scale or setting its hint names."""

import ast
import os
import re

import pytest

from conftest import run_main, shared_image
from jaxart import footprint, memory
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart_cli.options import FLAGS


def test_check_names_a_size_that_fits_the_photos_shape():
    config, wide = StyleConfig(size=512), (300, 600)  # the photo as read: 2:1, resized to 512x256
    need = memory.check(config, photo=wide, available=10**12)
    free = need - 1
    with pytest.raises(InputError, match=r"^a 512x256 px run needs about .* GiB .* use size=\d+ or smaller$") as e:
        memory.check(config, photo=wide, available=free)
    fits = int(str(e.value).split("size=")[1].split()[0])
    assert 16 <= fits < 512
    memory.check(config.replace(size=fits), photo=wide, available=free)  # the size it names fits
    with pytest.raises(InputError):
        memory.check(config.replace(size=fits + 1), photo=wide, available=free)
    # Not known, the photo is a square of --size, the most it can be: a wide photo needs less.
    assert memory.check(config, available=10**12) > need
    with pytest.raises(InputError, match="more memory"):
        memory.check(config, available=footprint.RUNTIME_BYTES)


def test_a_large_style_scale_counts_and_the_hint_names_a_scale_that_fits():
    # The painting's targets (a VGG pass at its own size) can set the run's peak: at --size 256,
    # --style-scale 8 takes The Starry Night's shape to 2048x1280 px.
    photo, painting = (768, 1024), (640, 1024)
    plain, large = StyleConfig(size=256), StyleConfig(size=256, style_scale=8.0)
    small = memory.check(plain, photo=photo, paintings=[painting], available=10**12)
    need = memory.check(large, photo=photo, paintings=[painting], available=10**12)
    assert need > footprint.targets_bytes(1280, 2048) > 4 * small
    with pytest.raises(InputError, match=r"^a 256x192 px run with the painting at 2048x1280 px needs about .* "
                                         r"use style_scale=[\d.]+ or smaller$") as e:
        memory.check(large, photo=photo, paintings=[painting], available=need - 1)
    scale = float(str(e.value).split("style_scale=")[1].split()[0])
    assert 1.0 < scale < 8.0
    memory.check(large.replace(style_scale=scale), photo=photo, paintings=[painting], available=need - 1)
    with pytest.raises(InputError):
        memory.check(large.replace(style_scale=scale + 0.01), photo=photo, paintings=[painting], available=need - 1)


@pytest.mark.parametrize("config, flags", [
    (StyleConfig(size=30000, scales=(64, 20000, 30000), scale_steps=(1, 2, 3), steps=6),
     r"--scales 64,(\d+) --size \1 --steps 1,3"),
    (StyleConfig(size=30000, start_size=64, scale_steps=tuple(range(1, 11)), steps=55),
     r"--size \d+ --steps 1,2,3,4,10"),
    (StyleConfig(size=30000, start_size=10000, scale_steps=(5, 20), steps=25),
     r"--size (\d+) --start-size \1 --steps 20"),
], ids=["scales", "start-size", "one-scale-left"])
def test_the_advice_with_step_counts_per_scale_is_passed_as_written_and_fits(config, flags):
    """The scales and step counts were said "scales=64,1431 scale_steps=1,3" (and no size, which must match) or
    "scale_steps=20", which no Python call takes (scale_steps=20 is a TypeError); the command line says its flags."""
    with pytest.raises(InputError) as e:
        memory.check(config, photo=(30, 40), available=4 * 2**30)
    advice = str(e.value).split("; use ")[1]
    call = ast.parse(f"replace({re.sub(r' (?=[a-z_]+=)', ', ', advice)})", mode="eval").body
    fixed = config.replace(**{k.arg: ast.literal_eval(k.value) for k in call.keywords})
    memory.check(fixed.validate(), photo=(30, 40), available=4 * 2**30)  # the advice fits
    assert re.fullmatch(r"a 30000x22500 px run needs about .* is free; use " + flags, e.value.naming(FLAGS))


def test_lbfgs_memory_counts_in_the_estimate_and_the_hint():
    default, long = StyleConfig(size=512), StyleConfig(size=512, lbfgs_memory=100)
    image = 544 * 544 * 3 * 4  # the state is of the image inside its 16 px margin
    assert footprint.run_bytes(512, 512, long) - footprint.run_bytes(512, 512, default) == 2 * 90 * image
    with pytest.raises(InputError, match=r"use lbfgs_memory=10$"):
        memory.check(long, available=memory.check(default, available=10**12))


def test_cli_refuses_an_impossible_size_before_loading_weights(tmp_path, monkeypatch, capsys):
    """The library's advice says `size=N` (a Python caller's word); the command line's line says --size N."""
    content, style = shared_image("content/tubingen.jpg"), shared_image("style/starry_night.jpg")
    out = tmp_path / "out.png"
    # vgg19 is not installed here: reaching the weights would try a download and fail otherwise.
    code, _, err = run_main(["stylize", str(content), str(style), "--size", "200000", "--model", "vgg19",
                             "--output", str(out)], monkeypatch, capsys)
    assert code != 0 and len(err.splitlines()) == 1, err
    assert re.fullmatch(r"error: a 200000x150000 px run needs about .* GiB.* is free; use --size \d+ or smaller", err)
    assert not out.exists()


def test_cli_refuses_a_painting_too_large_to_fit_and_names_a_style_scale(tmp_path, monkeypatch, capsys):
    content, style = shared_image("content/tubingen.jpg"), shared_image("style/starry_night.jpg")
    out = tmp_path / "out.png"
    # The photo alone fits easily at 256 px; The Starry Night (1024x640) at 60 times that does not.
    code, _, err = run_main(["stylize", str(content), str(style), "--size", "256", "--style-scale", "60", "--model",
                             "vgg19", "--output", str(out)], monkeypatch, capsys)
    assert code != 0 and err.startswith("error: a 256x192 px run with the painting at 15360x9600 px needs about"), err
    scale = float(err.split("--style-scale ")[1].split()[0])
    assert 1.0 <= scale < 60
    assert not out.exists()


def test_a_run_that_needs_exactly_the_free_memory_is_allowed():
    config = StyleConfig(size=256)
    need = memory.check(config, available=10**12)
    assert memory.check(config, available=need) == need


def test_free_memory_on_an_accelerator_is_its_limit_less_what_is_in_use(monkeypatch):
    class Device:
        platform = "gpu"

        def memory_stats(self):
            return {"bytes_limit": 16 * 2**30, "bytes_in_use": 10 * 2**30}

    import jax

    monkeypatch.setattr(memory.devices, "cpu_only", lambda: False)  # an accelerator plugin installed
    monkeypatch.setattr(jax, "devices", lambda: [Device()])
    assert memory.available_bytes() == 6 * 2**30


def test_free_memory_on_cpu_is_in_bytes_between_the_free_and_the_total_ram():
    page = os.sysconf("SC_PAGE_SIZE")
    free, total = os.sysconf("SC_AVPHYS_PAGES") * page, os.sysconf("SC_PHYS_PAGES") * page
    assert 0.5 * free <= memory.available_bytes() <= total  # other processes move MemFree meanwhile


def test_the_size_advice_never_names_a_size_that_leaves_the_painting_under_16_px():
    config = StyleConfig(size=4000, style_scale=1 / 161)  # at 2576 px the painting is 15.999... px
    config.validate()
    assert memory.size_hint(config, (4000, 4000), lambda c: c.size <= 2576, "--size") == "a machine with more memory"
    hint = memory.size_hint(config, (4000, 4000), lambda c: c.size <= 2577, "--size")
    config.replace(size=int(hint.split()[1])).validate()


def test_the_hint_names_the_painting_that_sets_the_peak_not_the_smallest():
    # Both paintings go to the same long side; the square one has more pixels, so its targets set
    # the peak and the message must name its size for the user to know which file to shrink.
    photo, wide, square = (768, 1024), (640, 1024), (800, 800)
    config = StyleConfig(size=256, style_scale=8.0)
    need = memory.check(config, photo=photo, paintings=[wide, square], available=10**12)
    for paintings in ([wide, square], [square, wide]):
        with pytest.raises(InputError, match=r"^a 256x192 px run with the painting at 2048x2048 px needs about .* "
                                             r"use style_scale=[\d.]+ or smaller$"):
            memory.check(config, photo=photo, paintings=paintings, available=need - 1)
