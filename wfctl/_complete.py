"""The fast path behind dynamic shell completion: ``wfctl __complete KIND [OPTIONS] [ID]``.

The shell scripts in ``completions/`` complete subcommands, options and fixed values by
themselves; they start this only for values that live in data:

* ``instances`` - instance IDs, newest first;
* ``workflows`` - workflow names;
* ``events ID`` - the event names instance ``ID`` is waiting for (embedded only).

OPTIONS are the ones the user already typed on the line, passed along by the shell script:
``--db PATH``, ``--url URL``, ``--transport T``, ``--grpc-endpoint E``, ``--embedded``,
``--profile NAME``, ``--config PATH``, and for gRPC ``--api-token T``, ``--api-token-file P``,
``--ca-cert P``, ``--insecure``;
``--prefix TEXT`` keeps only values that start with TEXT; ``--`` ends the options.

Output: one candidate a line, ``VALUE`` or ``VALUE<TAB>DESCRIPTION`` (the description is
"workflow name  STATUS" for instances). Exit status is always 0 and nothing is printed on any
error: a TAB must never print a traceback or block.

Where the candidates live is decided by wfctl's one settings resolver (the layers of
:mod:`wfctl.settings.sources`, read leniently), and the options above are the spec's
(:func:`wfctl.options.context_options`).

Embedded (``--embedded``, ``WFCTL_EMBEDDED=1`` or the profile): read the
SQLite file read-only (``mode=ro``; it is never created). Over gRPC (``--transport grpc``,
``--grpc-endpoint``, ``WFCTL_TRANSPORT`` or the profile): ask the sidecar for one page of
instance IDs under a short deadline, connecting as a command would (token and TLS settings
resolved by :mod:`wfctl.settings`: flag, token file, DAPR_API_TOKEN, profile), falling back
to the private record when it cannot list.
Otherwise (HTTP): read the private record of :mod:`wfctl.recent` for the URL. Only the standard
library is imported (grpc only on the gRPC path), plus PyYAML when - and only when - a config
file exists and a profile must be read from it.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Mapping

from wfctl.options import GLOBALS, context_options, flag_tables
from wfctl.settings.sources import gather, remote_flag

KINDS = ("instances", "workflows", "events")
#: How long a TAB may wait for the sidecar, and how many IDs it asks for.
GRPC_DEADLINE = 1.0
GRPC_PAGE = 100
_TRUE = ("1", "true", "yes", "on")


class _Request:
    __slots__ = (
        "kind",
        "db",
        "url",
        "transport",
        "grpc_endpoint",
        "embedded",
        "profile",
        "config",
        "prefix",
        "args",
        "secrets",
    )

    def __init__(self) -> None:
        self.kind = ""
        self.db: str | None = None
        self.url: str | None = None
        self.transport: str | None = None
        self.grpc_endpoint: str | None = None
        self.embedded: bool | None = None  # --embedded True, --no-embedded False
        self.profile: str | None = None
        self.config: str | None = None
        self.prefix = ""
        self.args: list[str] = []
        #: --api-token, --api-token-file, --ca-cert, --insecure: read only on the gRPC path
        #: (keyed as wfctl.settings' flags)
        self.secrets: dict[str, object] = {}


def _tables() -> tuple[dict[str, str], dict[str, tuple[str, bool]]]:
    """({spelling: key} of the valued options, {spelling: (key, value)} of the flags) that
    a completion script passes along: the spec's context options (wfctl.options), and
    ``--prefix``."""
    valued, flags = flag_tables(context_options())
    return {"--prefix": "prefix", **valued}, flags


_REQUEST_FIELDS = frozenset(_Request.__slots__)


def _set(req: _Request, key: str, value: object) -> None:
    if key in _REQUEST_FIELDS:
        setattr(req, key, value)
    else:  # a connection setting, read only on the gRPC path
        req.secrets[key] = value


def parse_args(argv: list[str]) -> _Request:
    """Read ``KIND [OPTIONS] [ID]``; unknown options are ignored (never an error)."""
    valued, flags = _tables()
    req = _Request()
    it = iter(argv)
    rest_positional = False
    for arg in it:
        if rest_positional or not arg.startswith("-") or arg == "-":
            if not req.kind:
                req.kind = arg
            else:
                req.args.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if arg == "--":
            rest_positional = True
        elif arg in flags:
            _set(req, *flags[arg])
        elif eq and name in valued:
            _set(req, valued[name], value)
        elif arg in valued:
            _set(req, valued[arg], next(it, ""))
    return req


# --- where the data lives ---------------------------------------------------------------


def _needed(flags: Mapping[str, object]) -> tuple[str, ...] | None:
    """The settings still open once ``flags`` are known (None: it depends on the config)."""
    embedded = flags.get("embedded")
    if embedded is None and remote_flag(flags):
        embedded = False
    if embedded is None:
        return None
    if embedded:
        return ("db",)
    transport = flags.get("transport") or ("grpc" if "grpc_endpoint" in flags else None)
    if transport is None:
        return None
    return ("grpc_endpoint",) if str(transport).strip().lower() == "grpc" else ("url",)


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def resolve(req: _Request) -> tuple[str, str]:
    """``("embedded", db_path)``, ``("grpc", endpoint)`` or ``("http", url)``, decided by the
    settings resolver's own layers (:func:`wfctl.settings.sources.gather`: flag > chosen
    profile > environment > the config's default profile > default), read leniently: an
    unreadable config or a missing profile reads as no profile. The config file is read only
    when the flags leave the answer open."""
    given = {
        "embedded": req.embedded,
        "db": req.db,
        "url": req.url,
        "transport": req.transport,
        "grpc_endpoint": req.grpc_endpoint,
        "profile": req.profile,
        "config": req.config,
    }
    flags = {k: v for k, v in given.items() if v is not None}
    needed = _needed(flags)
    if needed is not None and all(k in flags for k in needed):
        flags.pop("profile", None)  # nothing open: no config file to read
        flags.pop("config", None)
        src = gather(flags, os.environ, strict=False, read_config=False)
    else:
        src = gather(flags, os.environ, strict=False)

    def get(key: str) -> object:
        found = src.pick(key)
        return None if found is None else found[0]

    embedded = get("embedded")
    if "embedded" not in src.flags and remote_flag(src.flags):
        embedded = False  # an explicit remote flag beats an embedded from elsewhere
    if embedded is not None and _as_bool(embedded):
        db = get("db")
        if db:
            return "embedded", os.path.expanduser(str(db))
        from wfctl.recent import data_dir_path  # wfctl.paths, without pathlib

        return "embedded", os.path.join(data_dir_path(), "wfctl.db")
    if str(get("transport") or "").strip().lower() == "grpc":
        return "grpc", str(get("grpc_endpoint") or GLOBALS["grpc_endpoint"].default).strip().rstrip(
            "/"
        )
    return "http", str(get("url") or GLOBALS["url"].default).strip().rstrip("/")


# --- embedded: the SQLite file, read-only ------------------------------------------------


def query_embedded(
    db_path: str, kind: str, args: list[str], prefix: str = ""
) -> list[tuple[str, str]]:
    """Candidates for ``kind`` from the SQLite file at ``db_path``, opened read-only.

    A missing file gives no candidates (it is never created); ``sqlite3.Error`` is raised
    for a file that is not a wfctl database, and the caller turns that into silence.
    """
    if not os.path.isfile(db_path):
        return []
    from wfctl.engine.catalog import completion_rows  # the engine's schema, not a copy

    uri = "file:" + _uri_path(db_path) + "?mode=ro"
    con = sqlite3.connect(uri, uri=True, timeout=0.2)
    try:
        return completion_rows(con, kind, args, prefix)
    finally:
        con.close()


def _uri_path(path: str) -> str:
    path = os.path.abspath(path)
    # Percent-encode what a URI path may not carry literally.
    return "".join(c if c.isalnum() or c in "/-_.~" else f"%{ord(c):02X}" for c in path)


# --- HTTP: the private record of this user's recent instances ---------------------------


def query_recent(url: str, kind: str) -> list[tuple[str, str]]:
    """Candidates for ``kind`` from :mod:`wfctl.recent` (Dapr's HTTP API cannot list)."""
    from wfctl import recent

    if kind == "instances":
        return recent.recent_instances(url)
    if kind == "workflows":
        return [(name, "") for name in recent.recent_workflow_names(url)]
    return []


# --- gRPC: one page from the sidecar, else the private record ----------------------------


def grpc_key(endpoint: str) -> str:
    """The private record's key for a gRPC endpoint (as ``Settings.server_key``)."""
    return endpoint if "://" in endpoint else "grpc://" + endpoint


def query_grpc(endpoint: str, kind: str, req: _Request | None = None) -> list[tuple[str, str]]:
    """Instances the sidecar lists (one page of :data:`GRPC_PAGE` IDs, each read under
    :data:`GRPC_DEADLINE`), newest first; the private record when it cannot list (too old,
    unreachable, a wrong token) and for workflow names it has not shown."""
    recent = query_recent(grpc_key(endpoint), kind)
    if kind not in ("instances", "workflows"):
        return recent
    try:
        states = _grpc_states(endpoint, req or _Request())
    except Exception:  # noqa: BLE001 - any failure: the private record answers
        return recent
    if kind == "workflows":
        names = dict.fromkeys([n for _, n, _ in states if n] + [n for n, _ in recent])
        return [(n, "") for n in names]
    return [(iid, f"{name}  {status}".strip()) for iid, name, status in states]


def _grpc_states(endpoint: str, req: _Request) -> list[tuple[str, str, str]]:
    """The sidecar's newest instances, connecting as a command would: the token (flag, token
    file, DAPR_API_TOKEN, profile) and TLS settings resolved by :mod:`wfctl.settings`."""
    from wfctl.backend.grpc import GrpcBackend
    from wfctl.settings import resolve

    flags = {"profile": req.profile, "config": req.config, **req.secrets}
    s = resolve({k: v for k, v in flags.items() if v is not None})
    token = s.token()
    with GrpcBackend(endpoint, api_token=token, timeout=GRPC_DEADLINE, verify=s.verify) as b:
        ids = b.instance_ids(pages=1, page_size=GRPC_PAGE)
        states = b.states_of(ids)
    states.sort(key=lambda s: s.created_at.timestamp() if s.created_at else 0.0, reverse=True)
    return [(s.instance_id, s.name, s.runtime_status.value) for s in states]


def candidates(argv: list[str]) -> list[tuple[str, str]]:
    """``(value, description)`` pairs for a ``__complete`` command line (may raise)."""
    req = parse_args(argv)
    if req.kind not in KINDS:
        return []
    mode, where = resolve(req)
    if mode == "embedded":
        found = query_embedded(where, req.kind, req.args, req.prefix)
    elif mode == "grpc":
        found = query_grpc(where, req.kind, req)
    else:
        found = query_recent(where, req.kind)
    if req.prefix:
        found = [c for c in found if c[0].startswith(req.prefix)]
    return found


def _line(value: str, description: str) -> str:
    value = value.replace("\t", " ").replace("\n", " ")
    if description:
        return f"{value}\t{description.replace(chr(9), ' ').replace(chr(10), ' ')}\n"
    return value + "\n"


def main(argv: list[str]) -> int:
    """Print completion candidates for ``argv`` (``KIND [OPTIONS] [ID]``); always return 0."""
    try:
        out = "".join(_line(v, d) for v, d in candidates(argv) if v)
        if out:
            sys.stdout.write(out)
            sys.stdout.flush()
    except Exception:  # noqa: BLE001 - a TAB must never print a traceback
        pass
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m wfctl._complete`
    sys.exit(main(sys.argv[1:]))
