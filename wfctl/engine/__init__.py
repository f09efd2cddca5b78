"""The embedded durable workflow engine: event-sourced, on one SQLite file.

Modules: history (event and action types: the seam), replay (history + generator -> actions),
context (the authoring context), store (all SQL), worker (the loop), loader (user apps).
This package imports nothing of the CLI, Typer or rich.
"""
