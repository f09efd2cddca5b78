"""A small recording HTTP server that answers like daprd's workflow API (../shared/API.md).

It runs in a thread on 127.0.0.1 on a free port. Every request is recorded exactly (method,
raw path, raw query, body bytes, token header) so tests can assert what wfctl sent.

Instances follow a script per workflow name: ``server.script[name]`` is the list of statuses
successive GETs see (the last one repeats); COMPLETED echoes the input as output, FAILED sets
failure properties. ``server.faults`` is a queue of canned answers (status, body) served before
normal handling; the status ``-1`` closes the connection without answering (a reset).
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlsplit

PREFIXES = ("/v1.0-beta1", "/v1.0", "/v1.0-alpha1")
MAX_BODY = 4 * 1024 * 1024
ACTIVE = {"PENDING", "RUNNING", "SUSPENDED"}


@dataclass
class Recorded:
    method: str
    path: str  # raw, still percent-encoded
    query: str  # raw query string
    body: bytes
    token: str | None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Instance:
    instance_id: str
    name: str
    input: str
    script: list[str]
    reads: int = 0
    status: str = "PENDING"
    events: list[tuple[str, bytes]] = field(default_factory=list)
    created: str = "2026-01-02T03:04:05.123456Z"
    updated: str = "2026-01-02T03:04:06Z"
    custom_status: str | None = None

    def advance(self) -> None:
        if self.status in ("TERMINATED", "SUSPENDED"):
            return
        i = min(self.reads, len(self.script) - 1)
        self.status = self.script[i]
        self.reads += 1

    def body(self) -> dict:
        out: dict = {"instanceID": self.instance_id, "workflowName": self.name}
        out["createdAt"] = self.created
        out["lastUpdatedAt"] = self.updated
        out["runtimeStatus"] = self.status
        props = {"dapr.workflow.input": self.input}
        if self.status == "COMPLETED":
            props["dapr.workflow.output"] = self.input
        if self.status == "FAILED":
            props["dapr.workflow.failure.error_type"] = "ValueError"
            props["dapr.workflow.failure.error_message"] = "boom\nsecond line"
        if self.custom_status is not None:
            props["dapr.workflow.custom_status"] = self.custom_status
        out["properties"] = dict(sorted(props.items()))
        return out


class FakeDaprd:
    """Start with ``with FakeDaprd() as d:``; ``d.url`` is the base URL."""

    def __init__(self, *, token: str | None = None, ext: bool = False) -> None:
        self.token = token
        self.ext = ext  # serve wfctl's own /wfctl/v1 routes (as `wfctl serve` does)
        self.requests: list[Recorded] = []
        self.instances: dict[str, Instance] = {}
        self.script: dict[str, list[str]] = {}
        self.faults: list[tuple[int, bytes]] = []
        self.lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeDaprd:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def add(self, instance_id: str, name: str = "wf", status: str = "RUNNING", **kw) -> Instance:
        inst = Instance(instance_id, name, kw.pop("input", '"in"'), [status], status=status, **kw)
        self.instances[instance_id] = inst
        return inst

    # -- handling ---------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, query: str, body: bytes, token: str | None):
        """Return (status, content-type, body bytes) or None to drop the connection."""
        with self.lock:
            if self.faults:
                status, payload = self.faults.pop(0)
                if status < 0:
                    return None
                return status, "application/json", payload
            if raw_path == "/v1.0/healthz":
                return 204, "text/plain", b""
            if self.token is not None and token != self.token:
                return 401, "text/plain; charset=utf-8", b"invalid api token\n"
            if raw_path.startswith("/wfctl/v1/"):
                if not self.ext:
                    return 404, "text/plain; charset=utf-8", b"404 page not found\n"
                return self._ext(method, raw_path[len("/wfctl/v1") :], query)
            for p in PREFIXES:
                if raw_path.startswith(p + "/workflows/"):
                    segs = [unquote_plus(s) for s in raw_path[len(p) + 1 :].split("/")]
                    return self._workflows(method, segs, query, body)
            return 404, "text/plain; charset=utf-8", b"404 page not found\n"

    def _workflows(self, method: str, segs: list[str], query: str, body: bytes):
        if len(segs) < 3:
            return _err(404, "ERR_NOT_FOUND", "no route")
        comp, rest = segs[1], segs[2:]
        if comp != "dapr":
            return _err(400, "ERR_WORKFLOW_COMPONENT_NOT_FOUND", f"component {comp} not found")
        if len(body) > MAX_BODY:
            return _err(400, "ERR_BODY_READ", "request body too large")
        if method == "POST" and len(rest) == 2 and rest[1] == "start":
            return self._start(rest[0], query, body)
        iid = rest[0]
        op = rest[1] if len(rest) > 1 else ""
        if op != "raiseEvent" and body:
            try:
                json.loads(body)
            except ValueError:
                return _err(400, "ERR_MALFORMED_REQUEST", "failed to parse body")
        inst = self.instances.get(iid)
        missing = f"unable to find workflow with the provided instance ID: {iid}"
        if method == "GET" and len(rest) == 1:
            if inst is None:
                return _err(404, "ERR_INSTANCE_ID_NOT_FOUND", missing)
            inst.advance()
            return 200, "application/json", json.dumps(inst.body()).encode()
        if method != "POST":
            return 405, "text/plain", b"method not allowed\n"
        if op == "terminate" and len(rest) == 2:
            if inst is None:
                return _err(404, "ERR_INSTANCE_ID_NOT_FOUND", missing)
            if inst.status in ACTIVE:
                inst.status = "TERMINATED"
                inst.script = ["TERMINATED"]
            return _accepted()
        if op == "raiseEvent" and len(rest) == 3:
            if not rest[2]:
                return _err(400, "ERR_WORKFLOW_EVENT_NAME_MISSING", "event name is empty")
            if inst is None:
                return _err(500, "ERR_RAISE_EVENT_WORKFLOW", f"error raising event: {missing}")
            inst.events.append((rest[2], body))
            return _accepted()
        if op in ("pause", "resume") and len(rest) == 2:
            if inst is None:
                code = "ERR_PAUSE_WORKFLOW" if op == "pause" else "ERR_RESUME_WORKFLOW"
                return _err(500, code, f"error {op}: {missing}")
            if op == "pause" and inst.status in ("RUNNING", "PENDING"):
                inst.status = "SUSPENDED"
            elif op == "resume" and inst.status == "SUSPENDED":
                inst.status = "RUNNING"
            return _accepted()
        if op == "purge" and len(rest) == 2:
            if inst is None:
                return _err(404, "ERR_INSTANCE_ID_NOT_FOUND", missing)
            if inst.status in ACTIVE:
                return _err(500, "ERR_PURGE_WORKFLOW", "failed to purge: workflow is not finished")
            del self.instances[iid]
            return _accepted()
        return _err(404, "ERR_NOT_FOUND", "no route")

    def _start(self, name: str, query: str, body: bytes):
        if not name:
            return _err(400, "ERR_WORKFLOW_NAME_MISSING", "workflow name is missing")
        q = parse_qs(query, keep_blank_values=True)
        iid = (q.get("instanceID") or [""])[0] or str(uuid.uuid4())
        if len(iid.encode()) > 64:
            return _err(400, "ERR_INSTANCE_ID_TOO_LONG", "instance ID too long")
        if not all(c.isalpha() or c.isdecimal() or c in "-_" for c in iid):
            return _err(400, "ERR_INSTANCE_ID_INVALID", f"invalid instance ID {iid}")
        old = self.instances.get(iid)
        if old is not None and old.status in ACTIVE:
            return _err(500, "ERR_START_WORKFLOW", f"an active workflow with ID {iid} exists")
        script = self.script.get(name, ["RUNNING"])
        self.instances[iid] = Instance(iid, name, body.decode() if body else '""', script)
        return 202, "application/json", json.dumps({"instanceID": iid}).encode()

    def _ext(self, method: str, path: str, query: str):
        q = parse_qs(query)
        if method == "GET" and path == "/instances":
            items = list(self.instances.values())
            if "status" in q:
                items = [i for i in items if i.status in q["status"]]
            if "name" in q:
                items = [i for i in items if i.name == q["name"][0]]
            if "limit" in q:
                items = items[: int(q["limit"][0])]
            body = {"instances": [i.body() for i in reversed(items)]}
            return 200, "application/json", json.dumps(body).encode()
        parts = path.split("/")
        if (
            method == "GET"
            and len(parts) == 4
            and parts[1] == "instances"
            and parts[3] == "history"
        ):
            iid = unquote_plus(parts[2])
            if iid not in self.instances:
                return _err(404, "ERR_INSTANCE_ID_NOT_FOUND", f"no instance {iid}")
            events = [
                {
                    "eventId": -1,
                    "type": "ExecutionStarted",
                    "timestamp": "2026-01-02T03:04:05Z",
                    "name": self.instances[iid].name,
                    "taskId": None,
                    "details": '{"a": 1}',
                },
                {
                    "eventId": 1,
                    "type": "TaskScheduled",
                    "timestamp": "2026-01-02T03:04:06.5Z",
                    "name": "act",
                    "taskId": 1,
                    "details": "",
                },
                {
                    "eventId": -1,
                    "type": "TaskCompleted",
                    "timestamp": "2026-01-02T03:04:08Z",
                    "name": "act",
                    "taskId": 1,
                    "details": '"ok"',
                },
            ]
            return 200, "application/json", json.dumps({"events": events}).encode()
        if method == "POST" and path == "/purge":
            done = [i for i, v in self.instances.items() if v.status not in ACTIVE]
            if "status" in q:
                done = [i for i in done if self.instances[i].status in q["status"]]
            dry = q.get("dryRun", ["false"])[0] == "true"
            if not dry:
                for i in done:
                    del self.instances[i]
            body = {"instanceIDs": done, "dryRun": dry}
            return 200, "application/json", json.dumps(body).encode()
        return _err(404, "ERR_NOT_FOUND", "no such route")


def _err(status: int, code: str, message: str):
    body = json.dumps({"errorCode": code, "message": message}).encode()
    return status, "application/json", body


def _accepted():
    return 202, "application/json", b"{}"


def _make_handler(server: FakeDaprd) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _any(self) -> None:
            parts = urlsplit(self.path)
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            token = self.headers.get("dapr-api-token")
            rec = Recorded(self.command, parts.path, parts.query, body, token, dict(self.headers))
            with server.lock:
                server.requests.append(rec)
            answer = server.handle(self.command, parts.path, parts.query, body, token)
            if answer is None:
                self.close_connection = True
                self.connection.close()
                return
            status, ctype, payload = answer
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            if server.ext:  # as `wfctl serve` marks every answer (wfctl.wire.SERVE_HEADER)
                self.send_header("wfctl-api", "v1")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _any

    return Handler
