"""Import httpx without its command-line tool.

``httpx/__init__`` imports ``httpx._main`` (the ``httpx`` console tool), which pulls in click,
rich and pygments whenever they are installed — about a third of httpx's import time, for code
wfctl never runs. Before the first import of httpx we register a stand-in ``httpx._main``
whose ``main`` loads the real module on first call, so ``httpx.main`` still works.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


def _load() -> Any:
    if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
        stub = types.ModuleType("httpx._main")

        def main(*args: Any, **kwargs: Any) -> Any:
            if sys.modules.get("httpx._main") is stub:
                del sys.modules["httpx._main"]
            return importlib.import_module("httpx._main").main(*args, **kwargs)

        stub.main = main  # type: ignore[attr-defined]
        sys.modules["httpx._main"] = stub
    import httpx

    return httpx


httpx = _load()
