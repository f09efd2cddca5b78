"""Adapters: the only modules that may touch a dependency's private internals.

One module per dependency (``typer_compat``, ``httpx_compat``, ``uvicorn_compat``); each names
what it assumes, its dependency carries an upper bound (``<``) in pyproject.toml, and
``tests/test_adapters.py`` checks every assumption, so an upgrade that breaks one fails loudly
there instead of silently in a user's shell. Everything else uses public APIs only.
"""
