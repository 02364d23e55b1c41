"""`python -m jaxart ARGS`: the `jaxart` command, where its script is not on PATH or is another environment's (a
notebook's `!python -m jaxart`, or `{sys.executable} -m jaxart`, a venv not activated, `pip install --user` without
~/.local/bin on PATH). Only `-m` runs this module: the library never imports the command line. The console script's
entry (jaxart_cli.console): cli.py's own puts Python's Ctrl-C handler back for a moment before it runs."""

from jaxart_cli.console import entry

entry()
