"""A small private record, per server URL, of what this user did through wfctl over HTTP.

The Dapr HTTP API cannot list instances, so shell completion of instance IDs and workflow
names against a sidecar draws on this record: the IDs this user started or looked at, and the
workflow names this user started, through that URL.

What a caller may rely on:

* One JSON file per URL under ``wfctl.paths.data_dir() / "recent"`` (directory mode 0700,
  file mode 0600; paths are returned as ``str``), replaced atomically (a temporary file,
  then ``os.replace``), so a reader never sees half a file.
* At most :data:`MAX_INSTANCES` instance IDs and :data:`MAX_WORKFLOWS` workflow names per URL,
  newest first; recording an ID again moves it to the front.
* Nothing here raises: a record that cannot be read reads as empty, and a record that cannot
  be written is skipped (completion is a convenience; it must never fail a command).
* Only the standard library is imported (the completion fast path reads this module).

Two processes recording at the same moment may lose one of the two entries (last writer
wins); that costs one completion candidate, never a corrupt file.
"""

from __future__ import annotations

import json
import os
import time
import zlib

MAX_INSTANCES = 500
MAX_WORKFLOWS = 100
_MAX_FIELD = 256


def normalize_url(url: str) -> str:
    """The key a URL is recorded under: scheme and host lower-cased, no trailing slash, no
    ``user:password@`` (a password must not end up in a file name or a record)."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.rstrip("/")
    host, slash, path = rest.partition("/")
    host = host.rpartition("@")[2]
    return f"{scheme.lower()}://{host.lower()}{slash}{path}".rstrip("/")


def data_dir_path() -> str:
    """``wfctl.paths.data_dir()`` as a string, computed without importing pathlib (which
    costs the completion fast path a few milliseconds); a test keeps the two equal."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return os.path.join(base, "wfctl")


def record_dir() -> str:
    """The directory that holds the per-URL records: ``data_dir()/recent``."""
    return os.path.join(data_dir_path(), "recent")


def record_path(url: str) -> str:
    """The file that holds the record for ``url`` (it may not exist yet)."""
    key = normalize_url(url)
    safe = "".join(c if (c.isascii() and c.isalnum()) or c in "-." else "_" for c in key)
    return os.path.join(record_dir(), f"{safe[:80]}-{zlib.crc32(key.encode('utf-8')):08x}.json")


def _load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _clean_list(value: object) -> list[list]:
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        if isinstance(item, list) and item and isinstance(item[0], str):
            out.append(item)
    return out


def _usable(text: str) -> bool:
    return bool(text) and len(text) <= _MAX_FIELD and text.isprintable()


def record_instance(url: str, instance_id: str, workflow_name: str | None = None) -> None:
    """Remember that this user started or looked at ``instance_id`` through ``url``.

    ``workflow_name`` (when known, e.g. after ``start`` or ``status``) is kept with the ID as
    its completion description and, from ``start``, also remembered as a workflow name.
    Never raises.
    """
    try:
        if not _usable(instance_id):
            return
        name = workflow_name if workflow_name and _usable(workflow_name) else None
        path = record_path(url)
        data = _load(path)
        now = int(time.time())
        instances = [i for i in _clean_list(data.get("instances")) if i[0] != instance_id]
        if name is None:
            # A look-up without a name keeps the name recorded earlier.
            for old in _clean_list(data.get("instances")):
                if old[0] == instance_id and len(old) > 1 and isinstance(old[1], str):
                    name = old[1]
                    break
        instances.insert(0, [instance_id, name or "", now])
        workflows = _clean_list(data.get("workflows"))
        if workflow_name and name:
            workflows = [w for w in workflows if w[0] != name]
            workflows.insert(0, [name, now])
        _write(
            path,
            {
                "url": normalize_url(url),
                "instances": instances[:MAX_INSTANCES],
                "workflows": workflows[:MAX_WORKFLOWS],
            },
        )
    except Exception:  # noqa: BLE001 - a convenience record must never fail a command
        return


def _write(path: str, data: dict) -> None:
    directory, name = os.path.split(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    tmp = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"))
        os.chmod(tmp, 0o600)  # O_CREAT's mode is masked by the umask; be explicit
        os.replace(tmp, path)
    except BaseException:
        try:  # noqa: SIM105 - contextlib is not worth importing on the completion path
            os.unlink(tmp)
        except OSError:
            pass
        raise


def recent_instances(url: str) -> list[tuple[str, str]]:
    """``(instance_id, workflow_name)`` pairs recorded for ``url``, newest first.

    The workflow name is ``""`` when it was never known.
    """
    out = []
    for item in _clean_list(_load(record_path(url)).get("instances"))[:MAX_INSTANCES]:
        name = item[1] if len(item) > 1 and isinstance(item[1], str) else ""
        out.append((item[0], name))
    return out


def recent_workflow_names(url: str) -> list[str]:
    """Workflow names this user started through ``url``, newest first."""
    return [w[0] for w in _clean_list(_load(record_path(url)).get("workflows"))[:MAX_WORKFLOWS]]
