"""A region mask's size in the memory estimate: a mask is often drawn larger than the photo it covers."""



from jaxart import footprint, memory, model_choice
from jaxart.config import StyleConfig

from conftest import run_main, stylize_argv, write_tiny_job
from test_controls_spatial import _halves


def test_the_estimate_counts_the_mask_at_its_own_size():
    """files_bytes took the mask to be the photo's size: a 4000x3000 mask over a 1024x768 photo was
    counted as 0.8 megapixels, not 12, some 180 MiB short of what decoding and matching it hold."""
    config = StyleConfig(size=512, mask="m.png", region_colors=("red", "blue"))
    photo, paintings = (768, 1024), [(640, 1024)] * 2
    same = footprint.files_bytes(config, "vgg16", photo, paintings)
    assert footprint.files_bytes(config, "vgg16", photo, paintings, mask=photo) == same
    large = footprint.files_bytes(config, "vgg16", photo, paintings, mask=(3000, 4000))
    assert large - same >= footprint.MASK_PIXEL_BYTES * (3000 * 4000 - 768 * 1024)
    small = footprint.files_bytes(config, "vgg16", photo, paintings, mask=(192, 256))
    assert small < same


def test_the_cli_refuses_a_run_that_fits_only_if_the_mask_were_the_photos_size(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path)
    _halves(d / "m.png", size=(1600, 1200))  # the photo's 40x30, 1600 times the pixels
    config = StyleConfig(size=32, mask=str(d / "m.png"), region_colors=("red", "blue"))
    photo_sized = footprint.files_bytes(config, model_choice.model_arch(model), (30, 40), [(20, 20)] * 2)
    monkeypatch.setattr(memory, "available_bytes", lambda: photo_sized + 8 * 2**20)
    argv = stylize_argv((d, model), tmp_path / "out.png")
    argv = [a for a in argv if a != str(d / "paint.png")]
    code, _, err = run_main([*argv, "--mask", str(d / "m.png"), "--region-style", f"red={d / 'paint.png'}",
                             "--region-style", f"blue={d / 'paint.png'}"], monkeypatch, capsys)
    assert code == 2 and "needs about" in err and "is free" in err, err
    assert not (tmp_path / "out.png").exists()
