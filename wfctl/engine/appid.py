"""App identities: which app owns an instance (cheap to import: no app, no engine).

An instance records the identity of the app that started it; engines take only work of
instances of their own app (or with none), so two apps' same-named workflows never run each
other's code. :func:`app_identity` of a ``--app`` spec needs no import of the app.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DEMO_APP = "wfctl.demo"  # the identity of the built-in demo app

_ATTR = re.compile(r"^(?P<target>.+?):(?P<attr>[A-Za-z_][A-Za-z0-9_.]*)$")


def split_spec(spec: str) -> tuple[str, str | None]:
    """``MODULE_OR_FILE[:ATTR]`` as (target, attr or None)."""
    m = _ATTR.match(spec)
    if m and not re.match(r"^[A-Za-z]:[\\/]", spec):  # not a Windows drive letter
        return m["target"], m["attr"]
    return spec, None


def is_path(target: str) -> bool:
    """Whether an app target names a file rather than a module."""
    return target.endswith(".py") or os.sep in target or "/" in target or Path(target).is_file()


def app_identity(spec: str | None) -> str:
    """The identity of app ``spec`` recorded on the instances it starts, without importing
    it: ``"wfctl.demo"`` for the built-in demo (``None``), the real path of a ``.py`` file,
    else the module name (a ``:ATTR`` suffix is ignored). ``wfctl exec`` of the same file
    or module gives the same identity."""
    if spec is None or spec == "":
        return DEMO_APP
    target, _ = split_spec(spec)
    if is_path(target):
        return os.path.realpath(os.path.expanduser(target))
    return target
