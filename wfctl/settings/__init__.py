"""Resolved settings: where to send requests, how to authenticate, how to print.

Precedence, highest first (each value remembers where it came from, for `wfctl config show`):

1. a command-line flag — and a flag naming a remote backend (``--url``; see
   :data:`wfctl.settings.sources.REMOTE_FLAGS`) also turns off an ``embedded`` that came from
   anywhere but a flag;
2. the explicitly chosen profile (``--profile`` or ``WFCTL_PROFILE``) — so a profile beats the
   ``DAPR_HTTP_PORT`` that ``dapr run`` puts in the environment;
3. the environment (``DAPR_HTTP_ENDPOINT``, ``DAPR_RUNTIME_HOST``/``DAPR_HTTP_PORT``,
   ``DAPR_GRPC_ENDPOINT``, ``DAPR_RUNTIME_HOST``/``DAPR_GRPC_PORT``, ``WFCTL_TRANSPORT``,
   ``DAPR_API_TOKEN``, ``WFCTL_EMBEDDED``, ``WFCTL_DB``, ``WFCTL_APP``, ``NO_COLOR``);
4. the config file's default profile;
5. built-in defaults.

The config file is YAML, read only from ``--config PATH``, ``WFCTL_CONFIG`` or
``$XDG_CONFIG_HOME/wfctl/config.yaml`` — never from the working directory::

    default-profile: local
    profiles:
      local:
        url: http://127.0.0.1:3500
      grpc:
        transport: grpc
        grpc-endpoint: 127.0.0.1:50001
      prod:
        url: https://dapr.example.com:3500
        api-token-file: ~/.config/wfctl/prod-token
        ca-cert: /etc/ssl/dapr-ca.pem

The parts: :mod:`.sources` (the layers, in precedence order: the one place that knows it;
light enough for shell completion, which reads it too), :mod:`.values` (checking and typing a
raw value), :mod:`.resolved` (:class:`Settings` and :func:`resolve`). The names below are
loaded on first use, so that ``wfctl.settings.sources`` costs a TAB nothing more.

Nothing here imports Typer, rich or httpx; PyYAML is imported only when a config file exists.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from wfctl.settings.resolved import DEFAULTS, PROFILE_KEYS, Settings, resolve
    from wfctl.settings.sources import REMOTE_FLAGS, config_file, load_config
    from wfctl.settings.values import check_token, check_url, coerce, read_token_file

_WHERE = {
    "DEFAULTS": "resolved",
    "PROFILE_KEYS": "resolved",
    "Settings": "resolved",
    "resolve": "resolved",
    "REMOTE_FLAGS": "sources",
    "config_file": "sources",
    "load_config": "sources",
    "check_token": "values",
    "check_url": "values",
    "coerce": "values",
    "read_token_file": "values",
}
__all__ = [
    "DEFAULTS",
    "PROFILE_KEYS",
    "REMOTE_FLAGS",
    "Settings",
    "check_token",
    "check_url",
    "coerce",
    "config_file",
    "load_config",
    "read_token_file",
    "resolve",
]


def __getattr__(name: str) -> object:  # PEP 562: the public names, imported on first use
    part = _WHERE.get(name)
    if part is None:
        raise AttributeError(f"module 'wfctl.settings' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"wfctl.settings.{part}"), name)
    globals()[name] = value
    return value
