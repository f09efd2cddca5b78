"""The Typer command line. ``wfctl.cli.app:app`` is the ``typer.Typer`` (for generators such as
shell completion: ``typer.main.get_command(app)``); :func:`wfctl.cli.app.run` runs it."""
