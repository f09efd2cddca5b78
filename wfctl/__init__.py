"""wfctl: a command-line workflow manager over the Dapr workflow API.

The CLI lives in :mod:`wfctl.cli`; backends in :mod:`wfctl.backend`; the embedded durable
engine in :mod:`wfctl.engine`; the Dapr-compatible authoring API in :mod:`wfctl.workflow`.
"""

__version__ = "0.4.0"
