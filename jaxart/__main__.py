"""`python -m jaxart ARGS`: the `jaxart` command, where its script is not on PATH or is another environment's (a
notebook's `!python -m jaxart`, or `{sys.executable} -m jaxart`, a venv not activated, `pip install --user` without
~/.local/bin on PATH). Only `-m` runs this module: the library never imports the command line."""

from cli import entry

entry()
