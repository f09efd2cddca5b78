"""Backends: one object per place workflows live. Nothing here imports Typer or rich."""

from wfctl.backend.protocol import Backend

__all__ = ["Backend"]
