"""The Durable Task protocol's generated messages and stubs, from the ``dapr`` wheel.

The ``dapr`` wheel (pinned to the tested range in the ``grpc`` extra) ships the stubs at the
private path ``dapr.ext.workflow._durabletask.internal``. Importing them the ordinary way runs
``dapr/ext/workflow/__init__``, which imports the whole SDK (about 0.6 s). The generated
modules themselves need only their own package: so :func:`load` registers that package
(its ``__init__`` is empty) from its file, under its real name, and imports the modules
through it. Everything lands under the names the SDK uses, so a process that later imports
the SDK itself (a test, an ``exec`` app) reuses the same modules: one copy of the protos in
the descriptor pool, never "duplicate symbol".

``tests/grpc/test_stubs.py`` checks the pin: the modules exist, the 17 RPCs are there and
loading them does not import the SDK.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

from wfctl.model import UsageError

#: The private package in the dapr wheel that holds the generated modules.
PACKAGE = "dapr.ext.workflow._durabletask.internal"
#: The dapr wheel versions this loader is tested with (the ``grpc`` extra pins the same).
TESTED_DAPR = ">=1.19.0,<1.20"
INSTALL_HINT = "gRPC needs the grpc extra: pip install 'wfctl[grpc]'"

# Load order matters: each module imports the ones before it.
_MODULES = (
    "orchestration_pb2",
    "attestation_pb2",
    "history_events_pb2",
    "orchestrator_actions_pb2",
    "orchestrator_service_pb2",
    "orchestrator_service_pb2_grpc",
)

_loaded: SimpleNamespace | None = None


def _package_dir() -> Path:
    # Ask the path finder, not sys.modules: wfctl's Dapr alias (an app loaded in this process)
    # puts a stand-in "dapr" there with no __spec__, and find_spec would raise ValueError.
    spec = importlib.machinery.PathFinder.find_spec("dapr")  # finds it without running it
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(INSTALL_HINT)
    for root in spec.submodule_search_locations:
        d = Path(root, "ext", "workflow", "_durabletask", "internal")
        if (d / "orchestrator_service_pb2_grpc.py").is_file():
            return d
    raise UsageError(
        f"the installed dapr package has no Durable Task stubs (wfctl needs dapr{TESTED_DAPR}): "
        "pip install 'wfctl[grpc]'"
    )


def _register_package() -> None:
    if PACKAGE in sys.modules:
        return
    d = _package_dir()
    spec = importlib.util.spec_from_file_location(
        PACKAGE, d / "__init__.py", submodule_search_locations=[str(d)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(PACKAGE, None)
        raise


def load() -> SimpleNamespace:
    """The protocol as a namespace: ``pb`` (every message and enum, one namespace as the SDK's
    ``protos``), ``grpc_stubs`` (``TaskHubSidecarServiceStub``/``...Servicer``/
    ``add_TaskHubSidecarServiceServicer_to_server``), ``grpc`` (the grpc module).

    Raises UsageError (exit 2) with the install line when grpc, protobuf or dapr is missing.
    """
    global _loaded
    if _loaded is not None:
        return _loaded
    try:
        import grpc
        from google.protobuf import duration_pb2, empty_pb2, timestamp_pb2, wrappers_pb2
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    _register_package()
    try:
        mods: dict[str, ModuleType] = {
            name: importlib.import_module(f"{PACKAGE}.{name}") for name in _MODULES
        }
    except ImportError as exc:
        raise UsageError(
            f"cannot load the Durable Task stubs from dapr ({exc}); "
            f"wfctl needs dapr{TESTED_DAPR}: pip install 'wfctl[grpc]'"
        ) from None
    pb = SimpleNamespace()
    for name in _MODULES[:-1]:
        for attr, value in vars(mods[name]).items():
            if not attr.startswith("_"):
                setattr(pb, attr, value)
    pb.Timestamp = timestamp_pb2.Timestamp
    pb.StringValue = wrappers_pb2.StringValue
    pb.Int32Value = wrappers_pb2.Int32Value
    pb.Duration = duration_pb2.Duration
    pb.Empty = empty_pb2.Empty
    _loaded = SimpleNamespace(pb=pb, grpc_stubs=mods["orchestrator_service_pb2_grpc"], grpc=grpc)
    return _loaded
