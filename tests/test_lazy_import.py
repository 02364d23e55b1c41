"""`import jaxart` is lazy (PEP 562): its public names load their modules, and JAX, on first use, so that the
commands that need no JAX (--help, info, weights list) start at once; every name is there as before."""

import subprocess
import sys

import pytest

import cli
import jaxart


def _imports_in_fresh_python(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has loaded after running `code`."""
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True, cwd=str(cli.__file__).rpartition("/")[0])
    return {name.split(".")[0] for name in out.stdout.split()}


@pytest.mark.parametrize("code", ["import jaxart", "import jaxart; jaxart.__version__",
                                  "from jaxart import InputError, read_record"])
def test_importing_jaxart_loads_no_jax_until_a_name_needs_it(code):
    """`import jaxart` loaded jax, flax and optax (~2.3 s on 2 cores) before any name was used."""
    assert not _imports_in_fresh_python(code) & {"jax", "flax", "optax"}


def test_every_public_name_is_there_lazily_as_before():
    """The lazy package still gives each name of `__all__` through `jaxart.X`, `from jaxart import *` and `dir()`,
    and `jaxart.run` is the library's function; an unknown name is an AttributeError, as before."""
    names: dict = {}
    exec("from jaxart import *", names)
    assert set(jaxart.__all__) <= set(names) and set(jaxart.__all__) <= set(dir(jaxart))
    assert all(getattr(jaxart, n) is names[n] for n in jaxart.__all__)
    assert jaxart.run is jaxart.transfer.run and jaxart.StyleConfig is jaxart.config.StyleConfig
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        getattr(jaxart, "nonesuch")
    assert "jax" in _imports_in_fresh_python("import jaxart; jaxart.run")
