"""The modules behind cli.py's Typer app: one per command or concern."""
