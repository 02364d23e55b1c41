"""Edited or damaged checkpoints and run records: `stylize --resume` and `info --command` say which field, in one
line (a record's bad setting by the option the command would print), and print no command that stylize would
refuse; an image without a record is named as such, and one Pillow cannot identify is named once."""

import numpy as np
import pytest

from jaxart import StyleConfig, checkpoint
from jaxart.output import save_image

from conftest import run_main, stylize_argv, write_tiny_job
from test_bad_input import _main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("bad-records"))


def test_an_edited_checkpoint_missing_what_resume_reads_is_refused(files, tmp_path, monkeypatch, capsys):
    path = checkpoint.save(tmp_path / "c.ckpt.npz", {"x": np.zeros(2)}, {"jaxart": "any", "output": "o.png"})
    code, err = _main(["stylize", "--resume", str(path)], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "checkpoint lacks weights_sha256, model, config, inputs, format, step" in err
    code, err = _main(["stylize", "--resume", str(tmp_path)], monkeypatch, capsys)
    assert code == 2 and f"checkpoint {tmp_path} is not a file" in err


@pytest.mark.parametrize("field, value", [("model", 5), ("output", 7), ("format", "jpeg"), ("config", "hello"),
                                          ("inputs.content", 123), ("inputs.styles", "/a/path"),
                                          ("inputs.background", 5), ("step", "3")])
def test_an_edited_checkpoint_with_a_field_of_the_wrong_type_is_refused(field, value, tmp_path, monkeypatch, capsys):
    meta = {"jaxart": "any", "weights_sha256": "0", "model": "m", "config": {}, "output": "o.png", "format": "png",
            "step": 1, "inputs": {"content": "c.jpg", "styles": ["s.jpg"], "background": [255, 255, 255]}}
    where, _, key = field.rpartition(".")
    (meta[where] if where else meta)[key] = value
    path = checkpoint.save(tmp_path / "c.ckpt.npz", {"x": np.zeros(2)}, meta)
    code, err = _main(["stylize", "--resume", str(path)], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert f"checkpoint field {field} has the wrong type or value; it was edited or damaged" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.ckpt.npz"]


def test_a_checkpoint_with_a_null_background_resumes_on_white():
    from jaxart import __version__, image, resume

    meta = {"jaxart": __version__, "weights_sha256": "0", "model": "m", "config": {}, "output": "o.png",
            "format": "png", "step": 1,  # null passes the field check, and was a traceback here
            "inputs": {"content": "c.jpg", "styles": ["s.jpg"], "background": None}}
    assert resume.from_checkpoint(checkpoint.Checkpoint(meta, []))[4] == image.WHITE


FORGED = {  # how a record was edited: (change, what the one line names)
    "background a number": (lambda r: r["inputs"].update(background=5), "background must be three integers"),
    "background infinite": (lambda r: r["inputs"].update(background=[1e400, 0, 0]), "got [inf, 0, 0]"),
    "background out of range": (lambda r: r["inputs"].update(background=[300, -5, 0]), "background must be three"),
    "negative size": (lambda r: r["config"].update(size=-5), "size must be a positive integer"),
    "nan learning rate": (lambda r: r["config"].update(learning_rate=float("nan")), "learning-rate must be"),
    "unknown optimizer": (lambda r: r["config"].update(optimizer="sgd"), "optimizer 'sgd' is not one of"),
    "unknown layer": (lambda r: r["config"].update(style_layers=["relu9_9"]), "layer 'relu9_9' does not exist"),
    "regions without a mask": (lambda r: r["config"].update(region_colors=["red"]), "do not pair up"),
    "two regions for one painting": (lambda r: r["config"].update(mask="/m/mask.png", region_colors=["red", "blue"]),
                                     "do not pair up"),
    "blank init": (lambda r: r["config"].update(init=""), "init is blank"),
}
NO_LAYERS = {  # what the API allows and no stylize option gives: it printed --content-layers '', which stylize refuses
    "no content layers": (lambda r: r["config"].update(content_layers=[]), "no content layers"),
    "no style layers": (lambda r: r["config"].update(style_layers=[]), "no style layers"),
}


@pytest.mark.parametrize("case", sorted(FORGED) + sorted(NO_LAYERS))
def test_info_command_on_an_edited_record_is_one_line_and_no_command(case, tmp_path, monkeypatch, capsys):
    """These printed a command stylize refuses (--size -5, --background 1, --content-layers ''), or a
    TypeError traceback."""
    import numpy as np

    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    d, _ = write_tiny_job(tmp_path)
    record = {"jaxart": "0.2.0", "arch": "vgg19", "model": "vgg19", "config": StyleConfig().to_dict(),
              "inputs": {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")]}}
    change, says = {**FORGED, **NO_LAYERS}[case]
    change(record)
    save_image(d / "out.png", np.zeros((4, 4, 3)), record)
    code, out, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and says in err, err
    assert ("edited or damaged" if case in FORGED else "-weight 0 has the same effect") in err, err


def test_a_warning_naming_a_file_with_a_line_break_stays_one_line(tmp_path, monkeypatch, capsys):
    import numpy as np

    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    d, _ = write_tiny_job(tmp_path)
    record = {"jaxart": "0.2.0", "config": StyleConfig().to_dict(),
              "inputs": {"content": str(d / "gone\nphoto.jpg"), "styles": [str(d / "paint.png")]}}
    save_image(d / "out.png", np.zeros((4, 4, 3)), record)
    code, out, err = run_main(["info", str(d / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and len(err.splitlines()) == 1 and "is gone" in err, err


@pytest.mark.parametrize("suffix", [".webp", ".gif"])
def test_info_on_a_still_webp_or_gif_does_not_call_it_an_animation(suffix, tmp_path, monkeypatch, capsys):
    """Any still WebP or GIF was said to be "an animation", which misleads about what the file is."""
    from PIL import Image

    still = tmp_path / f"photo{suffix}"
    Image.new("RGB", (4, 4)).save(still)
    code, out, err = run_main(["info", str(still)], monkeypatch, capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert "animation" not in err and "has no jaxart run record" in err and "PNG and TIFF" in err, err


def test_info_command_reads_an_edited_records_dash_named_inputs_back_as_files(tmp_path, monkeypatch, capsys):
    """A record naming `-photo.jpg` printed `jaxart stylize -photo.jpg ...`, which stylize parses as an option."""
    import shlex

    import numpy as np

    from jaxart import transfer
    from jaxart.config import StyleConfig
    from jaxart.output import save_image

    d, model = write_tiny_job(tmp_path)
    (d / "photo.jpg").rename(d / "-photo.jpg")
    (d / "paint.png").rename(d / "-paint.png")
    monkeypatch.chdir(d)
    record = {"jaxart": "0.2.0", "arch": "vgg19", "model_path": model, "config": StyleConfig(size=32, steps=2).to_dict(),
              "inputs": {"content": "-photo.jpg", "styles": ["-paint.png"]}}
    save_image(d / "out.png", np.zeros((4, 4, 3)), record)
    code, out, err = run_main(["info", "out.png", "--command"], monkeypatch, capsys)
    assert code == 0, err
    seen = []
    monkeypatch.setattr("jaxart.job.stylize_files", lambda content, styles, *a, **kw: seen.append(
        (content, styles)) or transfer.Outcome(np.zeros((4, 4, 3)), dict.fromkeys(
            ("total", "content", "style", "tv"), 0.0), 2, 0.0))
    code, _, err = run_main([*shlex.split(out)[1:], "--overwrite", "-q"], monkeypatch, capsys)
    assert code == 0, err
    assert [p.resolve() for p in (seen[0][0], *seen[0][1])] == [d / "-photo.jpg", d / "-paint.png"]


@pytest.mark.parametrize("field, value, says", [("size", -5, "(--size must be a positive integer"),
                                                ("learning_rate", float("nan"), "(--learning-rate must be a finite number")])
def test_info_command_names_an_edited_records_setting_by_its_option(field, value, says, files, tmp_path,
                                                                     monkeypatch, capsys):
    """It said "size must be ..." where the tolerance beside it read "--tolerance 0.001": the command's words."""
    d, _ = files
    record = {"jaxart": "0.2.0", "arch": "vgg19", "model": "vgg19", "config": {**StyleConfig().to_dict(), field: value},
              "inputs": {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")]}}
    save_image(tmp_path / "out.png", np.zeros((4, 4, 3)), record)
    code, out, err = run_main(["info", str(tmp_path / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 2 and out == "" and says in err and "edited or damaged" in err, err


def test_info_on_an_image_pillow_cannot_identify_names_it_once(tmp_path, monkeypatch, capsys):
    """In stylize's words: it was "could not be read as an image (UnidentifiedImageError: ...)", where stylize names
    the damaged header and what to do."""
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 12 + b"xxxx" + b"\0" * 40)  # a PNG whose header chunk is damaged
    code, out, err = run_main(["info", str(bad)], monkeypatch, capsys)
    assert (code, out) == (2, "") and err.count("bad.png") == 1, err
    assert err == f"error: {bad} starts as a PNG file but its header is damaged; re-export or re-download it", err


def test_info_on_a_png_cut_in_its_pixel_data_without_a_record_names_it_truncated(files, tmp_path, monkeypatch,
                                                                                   capsys):
    """info said "could not be read as an image (OSError: image file is truncated)", where stylize names it damaged
    or truncated; info's advice is its own, as a PNG with no record before its pixels is not one jaxart wrote."""
    from PIL import Image

    path = tmp_path / "cut.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:6000])  # of 12,420 bytes: in the middle of its pixel data
    code, _, stylize_err = run_main(["stylize", str(path), *stylize_argv(files, tmp_path / "o.png")[2:]],
                                    monkeypatch, capsys)
    assert code == 2 and stylize_err.startswith(f"error: {path} is damaged or truncated (OSError: image file is "
                                                "truncated); "), stylize_err
    assert run_main(["info", str(path)], monkeypatch, capsys) == (2, "", (
        f"error: {path} is damaged or truncated (OSError: image file is truncated); it has no run record before its "
        "pixel data, where jaxart writes one, and `jaxart info` reads the run record of a PNG or TIFF jaxart wrote"))


def _png_header(width: int, height: int) -> bytes:
    """A PNG of `width` x `height` RGB pixels, its data one short deflate stream (a bomb's few bytes)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("name, data", [("empty.png", b""), ("huge.png", _png_header(100_000, 100_000))])
def test_info_on_an_empty_or_huge_image_says_what_stylize_says(name, data, files, tmp_path, monkeypatch, capsys):
    """info printed Pillow's own words: "(UnidentifiedImageError: cannot identify image file)" for an empty file,
    "(DecompressionBombError: Image size (10000000000 pixels) exceeds limit of 178956970 pixels, could be
    decompression bomb DOS attack.)" for a 100000x100000 PNG; stylize's line says what is wrong and what to do."""
    from jaxart import pixel_limit

    monkeypatch.setattr(pixel_limit, "host_bytes", lambda: 8 * 2**30)  # the same memory free for both commands
    path = tmp_path / name
    path.write_bytes(data)
    code, out, stylize_err = run_main(["stylize", str(path), *stylize_argv(files, tmp_path / "o.png")[2:]],
                                      monkeypatch, capsys)
    assert code == 2 and len(stylize_err.splitlines()) == 1 and "Error" not in stylize_err, stylize_err
    code, out, err = run_main(["info", str(path)], monkeypatch, capsys)
    assert (code, out, err) == (2, "", stylize_err)
