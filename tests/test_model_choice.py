"""`--model auto`: vgg19 where it can be fetched, else vgg16-hed with one warning, and how long it tries."""

import jax
import pytest

import jaxart
from jaxart import model_choice
from jaxart.errors import WeightsError
from jaxart.weights import folder, store

from conftest import TINY


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    """A weights dir holding a tiny VGG16 registered under the name vgg16-hed."""
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=TINY)
    store.save(w.params, folder.path_for("vgg16-hed"), arch="vgg16", preprocess=w.preprocess, name="vgg16-hed")
    return tmp_path


def _offline(name, **options):
    if name == "vgg19":
        raise WeightsError("could not download vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 (offline); ...")


def _server():
    """A listening socket on a free local port, for a test to answer (or not) as a server would."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    return server


def _auto_from(server, monkeypatch):
    """`--model auto` with vgg19 at `server` and a 0.5 s probe, fetched as the CLI fetches: (weights, warnings)."""
    from jaxart_cli import fetch as cli_fetch

    monkeypatch.setenv("JAXART_WEIGHTS_URL_VGG19", f"http://127.0.0.1:{server.getsockname()[1]}/vgg19.h5")
    monkeypatch.setattr(model_choice, "PROBE_TIMEOUT", 0.5)
    warnings = []
    w = model_choice.resolve_model("auto", lambda name, **kw: cli_fetch.fetch(name, True, **kw), warnings.append)
    return w, warnings


def test_auto_model_falls_back_to_hed_with_one_warning(weights_dir):
    warnings = []
    w = model_choice.resolve_model("auto", _offline, warnings.append)
    assert w.name == "vgg16-hed" and w.arch == "vgg16"
    assert len(warnings) == 1 and "vgg19 weights unavailable" in warnings[0] and "vgg16-hed" in warnings[0]


def test_auto_model_gives_up_on_a_silent_server_after_one_short_try(weights_dir, monkeypatch):
    """A firewall that drops packets: one connection, not fetch's three of 30 s each, on every run."""
    import threading

    server, held = _server(), []  # accepted and never answered
    threading.Thread(target=lambda: [held.append(server.accept()) for _ in range(3)], daemon=True).start()
    try:
        w, warnings = _auto_from(server, monkeypatch)
    finally:
        server.close()
    assert w.name == "vgg16-hed" and len(held) == 1
    assert warnings == [f"vgg19 weights unavailable (could not download vgg19_weights_tf_dim_ordering_tf_kernels_"
                        f"notop.h5 from {folder.os.environ['JAXART_WEIGHTS_URL_VGG19']} (timed out, after 1 attempt)); "
                        "using vgg16-hed (--model vgg16-hed skips this try)"], warnings


def test_auto_model_gives_up_on_a_trickling_server_after_one_short_window(weights_dir, monkeypatch):
    """A byte every 50 ms never trips the read timeout: `stylize` waited as long as the server trickled (for 80 MB
    of vgg19, forever) before it took vgg16-hed."""
    import threading
    import time

    server, stop, size = _server(), threading.Event(), jaxart.weights.SOURCES["vgg19"].size

    def trickle():
        connection, _ = server.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
            while not stop.wait(0.05):  # 100 bytes in 5 s at most
                connection.sendall(b"x")
                if time.monotonic() - began > 5:
                    return

    began = time.monotonic()
    threading.Thread(target=trickle, daemon=True).start()
    try:
        w, warnings = _auto_from(server, monkeypatch)
    finally:
        stop.set()
        server.close()
    assert w.name == "vgg16-hed" and time.monotonic() - began < 3
    assert len(warnings) == 1 and "(the server is too slow: " in warnings[0], warnings


def test_auto_model_names_both_causes_when_the_fallback_fails_too(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))  # empty: no vgg16-hed either

    def offline(name, **options):
        raise WeightsError(f"could not download {name} (offline); check the connection")

    with pytest.raises(WeightsError) as e:
        model_choice.resolve_model("auto", offline, pytest.fail)  # no warning before the error
    assert str(e.value).startswith("neither vgg19 (could not download vgg19 (offline)) nor vgg16-hed "
                                   "(could not download vgg16-hed (offline); check the connection)")


def test_auto_model_gives_one_error_where_both_fail_for_the_same_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))

    def unwritable(name, **options):
        raise WeightsError(f"weights folder {tmp_path} is not writable; give JAXART_WEIGHTS_DIR a folder you own")

    with pytest.raises(WeightsError) as e:
        model_choice.resolve_model("auto", unwritable, pytest.fail)
    assert str(e.value).startswith("weights folder") and "neither" not in str(e.value)




def test_auto_model_is_checked_as_vgg19_before_weights_load():
    # "auto" loads vgg19 where it can: its layers (relu5_4, which vgg16 lacks) must pass the early check.
    assert model_choice.model_arch("auto") == "vgg19"


def test_explicit_model_never_falls_back(weights_dir):
    with pytest.raises(WeightsError, match="offline"):
        model_choice.resolve_model("vgg19", _offline, pytest.fail)
