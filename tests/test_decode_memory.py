"""Decoding a huge photo can be a run's peak: the dry run's figure, made for a run that has yet to decode its files,
counts it, with the bytes a pixel its header's mode takes; the memory check, made once they are decoded, does not."""

from __future__ import annotations

import re
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageCms

from conftest import run_main, write_tiny_job
from jaxart import decode_memory, footprint, image, memory
from jaxart.config import StyleConfig
from jaxart_cli import dry_run

MIB = 2**20
# Peak RSS of `jaxart stylize PHOTO starry_night.jpg --model vgg16-hed --size 64 --steps 1` on 12000x9000 PNGs
# (2026-12-07; BENCHMARKS.md, "Decoding in the dry run's figure"): 16-bit grey, read at 16 bits (23:31 UTC, 2-core AMD
# EPYC (Zen 5); 3458 MiB read at 8 bits), and 8-bit RGB, which resizing it set, after the memory check.
GREY16_108MP_PEAK = 2342 * MIB  # the higher of two runs (2328 and 2342 MiB)
RGB_108MP_PEAK = 2353 * MIB  # the higher of two runs (2334 and 2353 MiB)
HUGE = (9000, 12000)


def _write(path, mode: str, **save):
    """A 40x30 picture of `mode` (Pillow's, or "CMYK" as a JPEG) at `path`."""
    grey = np.arange(1200, dtype=np.float32).reshape(30, 40) / 1200
    img = {"I;16": lambda: Image.fromarray((grey * 65535).astype(np.uint16)),
           "F": lambda: Image.fromarray(grey)}.get(mode, lambda: Image.fromarray((grey * 255).astype(np.uint8))
                                                    .convert(mode))()
    img.save(path, **save)
    return path


def _figure(printed: str) -> float:
    """The bytes a dry run's line says the run takes ("about 3.6 GiB of ...")."""
    number, unit = re.search(r"about ([\d.]+) (MiB|GiB)", printed).groups()
    return float(number) * {"MiB": MIB, "GiB": 2**30}[unit]


@pytest.fixture
def huge_photo(monkeypatch):
    """The photo decodes to 12000x9000 px (a view of one value, no memory), the painting to 1024x640; no weights load,
    and 20 GiB is free."""
    def load(content, styles, background=None, config=None):
        return np.broadcast_to(np.float32(0.5), (*HUGE, 3)), [np.full((640, 1024, 3), 0.5, np.float32) for _ in styles]
    monkeypatch.setattr("jaxart.input_files.load_inputs", load)
    monkeypatch.setattr("jaxart.model_choice.resolve_model", lambda *a, **k: pytest.fail("weights loaded"))
    monkeypatch.setattr("jaxart.memory.available_bytes", lambda: 20 * 2**30)
    monkeypatch.setattr("jaxart.devices.platform", lambda: "cpu")


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_dry_run_of_a_huge_photo_counts_decoding_it_by_its_header(command, tmp_path, huge_photo, monkeypatch,
                                                                      capsys):
    # It said 2.0 GiB for a 108-megapixel 16-bit grey PNG, whose run peaked at 3458 MiB as it decoded it.
    d, model = write_tiny_job(tmp_path)
    figures = {}
    for mode in ("I;16", "RGB", "F"):
        photo = _write(tmp_path / f"{mode[0]}.{'tif' if mode == 'F' else 'png'}", mode)
        argv = [command, str(photo), str(d / "paint.png"), "-o", str(tmp_path / f"{mode[0]}-out.png"), "--model",
                model, "--size", "64", "--steps", "1", "--dry-run"] + ["--style-weight", "1,10"] * (command == "sweep")
        code, printed, err = run_main(argv, monkeypatch, capsys)
        assert code == 0 and printed.startswith("dry run: "), err
        figures[mode] = _figure(printed)
    assert figures["I;16"] >= GREY16_108MP_PEAK, figures
    assert figures["I;16"] <= 1.2 * GREY16_108MP_PEAK  # an estimate, not a bound far off
    assert RGB_108MP_PEAK <= figures["RGB"] <= figures["I;16"] < figures["F"]  # its header's mode: float holds more


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_dry_run_counts_decoding_an_init_image_beside_the_files_held(command, tmp_path, monkeypatch, capsys):
    # It left an --init image out: 0.7-0.8 GiB for a 108-megapixel 16-bit grey one, which the run decodes at 21 bytes
    # a pixel once the photo and painting are held and the weights loaded (inputs.initial_image).
    d, model = write_tiny_job(tmp_path)
    init = _write(tmp_path / "init.png", "I;16")
    data = bytearray(init.read_bytes())
    data[16:24] = struct.pack(">II", HUGE[1], HUGE[0])  # IHDR's width and height, then its CRC: the header alone
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    init.write_bytes(bytes(data))
    monkeypatch.setattr("jaxart.memory.available_bytes", lambda: 20 * 2**30)
    monkeypatch.setattr("jaxart.devices.platform", lambda: "cpu")
    figures = {}
    for start in (str(init), "content"):
        argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "out.png"), "--model",
                model, "--size", "64", "--steps", "1", "--init", start, "--dry-run"]
        code, printed, err = run_main(argv + ["--style-weight", "1,10"] * (command == "sweep"), monkeypatch, capsys)
        assert code == 0 and printed.startswith("dry run: "), err
        figures[start] = _figure(printed)
    expected = decode_memory.init_bytes([(30, 40), (20, 20)], (HUGE, decode_memory.PIXEL_BYTES["16-bit"]))
    assert abs(figures[str(init)] - expected) <= 0.05 * 2**30, (figures, expected)
    assert figures["content"] < expected / 3


def test_an_init_image_decodes_as_its_header_and_the_photo_it_covers_say(tmp_path, monkeypatch):
    photo = Image.new("RGB", (800, 600))
    photo.save(tmp_path / "init.jpg")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)  # as a 20000x15000 scan is over 89 megapixels
    assert decode_memory.from_header(tmp_path / "init.jpg", image.covering((150, 200))) == ((150, 200), 20)  # 1/4 scale
    assert decode_memory.from_header(tmp_path / "init.png") == (None, decode_memory.MOST)  # no such file
    files = [(150, 200), (20, 20)]  # the photo first: the --init image is stretched over it
    assert decode_memory.init_peak(tmp_path / "init.jpg", files) == (
        (150, 200), decode_memory.init_bytes(files, ((150, 200), 20)))  # what the check and the dry run count
    for none in (None, "content", "random", tmp_path / "init.png"):
        assert decode_memory.init_peak(none, files) == (None, 0)


def test_the_memory_check_after_decoding_does_not_count_it():
    # Made once the files are decoded, it would refuse a run that fits if it counted that moment, which has passed.
    config, painting = StyleConfig(size=64), (640, 1024)
    need = memory.check(config, "vgg16", HUGE, [painting], available=10**12)
    assert need == footprint.files_bytes(config, "vgg16", HUGE, [painting])
    decoding = decode_memory.decoding_bytes([(HUGE, 35), (painting, 20)])
    assert decoding > need
    assert memory.check(config, "vgg16", HUGE, [painting], available=need) == need  # fits: not refused


def test_the_memory_check_counts_resizing_a_huge_photo_which_comes_after_it():
    # It said 1997 MiB for a 108-megapixel photo at 64 px, whose run peaked at 2334-2353 MiB resizing it.
    config, painting = StyleConfig(size=64), (640, 1024)
    need = memory.check(config, "vgg16", HUGE, [painting], available=10**12)
    assert RGB_108MP_PEAK <= need <= 1.2 * RGB_108MP_PEAK
    for photo, size in [((3024, 4032), 64), ((3024, 4032), 512), ((5000, 7000), 512)]:  # where the run sets it
        height, width = footprint.fit(photo, size)
        sides = [footprint.fit(painting, footprint.painting_side(painting, size))]
        run = footprint.run_bytes(height, width, config.replace(size=size), "vgg16", sides)
        held = footprint.INPUT_BYTES * (photo[0] * photo[1] + painting[0] * painting[1])
        assert footprint.files_bytes(config.replace(size=size), "vgg16", photo, [painting]) == held + run


def test_a_small_photos_dry_run_figure_is_the_run_it_holds(tmp_path, monkeypatch):
    monkeypatch.setattr("jaxart.devices.platform", lambda: "cpu")  # elsewhere the figure is `need` unasked
    photo = _write(tmp_path / "p.jpg", "RGB")
    config, shapes = StyleConfig(size=64), [(3024, 4032), (640, 1024)]  # a phone's 12 MP
    need = memory.check(config, "vgg16", shapes[0], shapes[1:], available=10**12)
    assert dry_run.memory_figure(need, [(photo, shapes[0]), (photo, shapes[1])]) == need
    assert decode_memory.decoding_bytes([(shapes[0], 20), (shapes[1], 20)]) < need / 2


def test_a_huge_photos_decoding_counts_only_for_a_run_on_the_host(tmp_path, monkeypatch):
    photo = _write(tmp_path / "p.png", "I;16")
    read = [(photo, HUGE)]
    monkeypatch.setattr("jaxart.devices.platform", lambda: "cpu")
    grey16 = decode_memory.PIXEL_BYTES["16-bit"]
    assert dry_run.memory_figure(1, read) == decode_memory.DECODE_BASE + grey16 * HUGE[0] * HUGE[1]
    assert dry_run.memory_figure(1, read, per_device=True) == 1
    monkeypatch.setattr("jaxart.devices.platform", lambda: "gpu")  # the figure is the device's memory
    assert dry_run.memory_figure(1, read) == 1


def test_files_decode_in_turn_beside_those_decoded_before():
    photo, painting = (3000, 4000), HUGE
    after = decode_memory.decoding_bytes([(photo, 20), (painting, 35)])
    assert after == decode_memory.DECODE_BASE + footprint.INPUT_BYTES * 12_000_000 + 35 * 108_000_000
    assert decode_memory.decoding_bytes([(painting, 35), (photo, 20)]) == decode_memory.DECODE_BASE + 35 * 108_000_000
    assert decode_memory.decoding_bytes([]) == decode_memory.DECODE_BASE


def test_the_bytes_a_pixel_come_from_the_header_as_measured(tmp_path):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    measured = [  # peak RSS of load_image over what it started from, per pixel, 4000x3000 files (BENCHMARKS.md)
        ("RGB", "a.png", {}, 19.1), ("L", "b.png", {}, 19.1), ("P", "c.png", {"transparency": 0}, 19.1),
        ("RGBA", "d.png", {}, 28.1), ("LA", "e.png", {}, 28.1), ("RGB", "f.png", {"transparency": (0, 0, 0)}, 28.1),
        ("I;16", "g.png", {}, 20.0), ("F", "h.tif", {}, 46.1), ("CMYK", "i.jpg", {}, 23.1),
        ("RGB", "j.jpg", {"icc_profile": icc}, 23.1), ("RGB", "k.jpg", {"progressive": True}, 23.1),
        ("RGBA", "l.png", {"icc_profile": icc}, 32.1),
    ]
    for mode, name, save, peak in measured:
        got = decode_memory.pixel_bytes(_write(tmp_path / name, mode, **save))
        assert peak <= got <= peak + 5, (mode, name, save, got)
    (tmp_path / "bad.png").write_bytes(b"not an image")
    assert decode_memory.pixel_bytes(tmp_path / "bad.png") == decode_memory.MOST == 51
