"""What every command shares: the resolved settings, the backend, output, payload reading."""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from wfctl.cli import errors
from wfctl.model import DeclinedError, UsageError, WfctlError
from wfctl.textsafe import MAX_JSON_DEPTH, TooDeepError, loads_bounded, url_userinfo

if TYPE_CHECKING:  # imported where used, to keep `wfctl --help` quick
    import typer

    from wfctl.backend.protocol import Backend
    from wfctl.render import Output
    from wfctl.settings import Settings

MAX_BODY_BYTES = 4 * 1024 * 1024  # = wfctl.MAX_BODY_BYTES, daprd's limit

STATE_KEY = "wfctl.state"


class CliState:
    """The global flags of one invocation, and the settings/backend made from them lazily."""

    last: ClassVar[CliState | None] = None

    def __init__(self, flags: dict[str, Any]) -> None:
        self.flags = flags
        self._settings: Settings | None = None
        self._backend: Backend | None = None

    @property
    def verbose(self) -> bool:
        if self._settings is not None:
            return self._settings.verbose
        return bool(self.flags.get("verbose"))

    @property
    def settings(self) -> Settings:
        return self.settings_of(None)

    def settings_of(self, keys: Collection[str] | None) -> Settings:
        """The settings; with ``keys``, only those are read (see wfctl.settings.resolve): what
        a command that uses no client setting asks for."""
        if self._settings is None:
            from wfctl.settings import resolve

            self._settings = resolve(self.flags, keys=keys)
            errors.add_secret(self._settings.api_token)
            errors.add_secret(url_userinfo(self._settings.url))  # user:password@ in the URL
        return self._settings

    def backend(self) -> Backend:
        """The backend the settings choose (made once per invocation)."""
        if self._backend is None:
            self._backend = make_backend(self.settings)
        return self._backend

    def out(self) -> Output:
        from wfctl.render import Output

        return Output(sys.stdout, color=not self.settings.no_color)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None


def state_of(ctx: typer.Context) -> CliState:
    st = ctx.meta.get(STATE_KEY)
    if st is None:  # a command invoked without the group (tests of one command)
        st = ctx.meta[STATE_KEY] = CliState({})
    return st


def check_app_file(app: str | None) -> None:
    """AppError (exit 9) when ``--app`` names a file that is not there — for every command,
    also those (list, status) that would not import the app."""
    if not app:
        return
    from pathlib import Path

    try:
        from wfctl.engine.appid import is_path, split_spec
    except ModuleNotFoundError:  # a wfctl without the engine: nothing runs an app here
        return
    target, _ = split_spec(app)
    if is_path(target) and not Path(target).expanduser().is_file():
        from wfctl.model import AppError

        raise AppError(f"app file not found: {target}; check the --app path")


def make_backend(s: Settings) -> Backend:
    """EmbeddedBackend for --embedded, GrpcBackend for --transport grpc, else HttpBackend."""
    check_app_file(s.app)
    if s.embedded:
        try:
            from wfctl.backend.embedded import EmbeddedBackend
        except ModuleNotFoundError as exc:
            if exc.name in ("wfctl.backend.embedded", "wfctl.backend"):
                raise UsageError(
                    "the embedded engine is not installed in this wfctl: "
                    "drop --embedded/WFCTL_EMBEDDED and use a Dapr sidecar"
                ) from None
            raise
        return EmbeddedBackend(s.db_path, app=s.app, drive_limit=s.drive, detach=s.detach)
    token = s.token()
    errors.add_secret(token)
    log = _log_line if s.verbose else None
    if s.grpc:  # grpc and protobuf are imported only here, when gRPC is chosen
        from wfctl.backend.grpc import GrpcBackend

        return GrpcBackend(
            s.grpc_endpoint,
            api_token=token,
            timeout=s.request_timeout,
            verify=s.verify,
            log=log,
        )
    from wfctl.backend.http import HttpBackend

    return HttpBackend(
        s.url,
        api_version=s.api_version,
        component=s.component,
        api_token=token,
        timeout=s.request_timeout,
        verify=s.verify,
        log=log,
    )


def _log_line(line: str) -> None:
    """``--verbose``: one request or response line on stderr, secrets masked."""
    sys.stderr.write(errors.one_line(line) + "\n")


def output_format(state: CliState, allowed: Sequence[str] = ("table", "json", "yaml")) -> str:
    fmt = state.settings.output
    if fmt not in allowed:
        raise UsageError(f"this command cannot print -o {fmt}: use one of {', '.join(allowed)}")
    return fmt


def emit(state: CliState, fmt: str, obj: Any) -> None:
    """Print a JSON-able object as JSON or YAML."""
    out = state.out()
    if fmt == "yaml":
        out.yaml(obj)
    else:
        out.json(obj)


def read_payload(
    text: str | None, path: str | None, *, raw: bool, what: str, flag: str
) -> str | None:
    """The payload given inline or in a file (``-`` = stdin), checked to be JSON unless raw."""
    if text is not None and path is not None:
        raise UsageError(f"give {flag} or {flag}-file, not both")
    if path is not None:
        try:
            if path == "-":
                data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else b""
                if not data and not hasattr(sys.stdin, "buffer"):
                    data = sys.stdin.read().encode("utf-8")
            else:
                with open(path, "rb") as f:
                    data = f.read(MAX_BODY_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"cannot read {what} file {path!r}: {exc.strerror or exc}") from None
        if len(data) > MAX_BODY_BYTES:
            raise UsageError(f"{what} is over 4 MiB: the Dapr sidecar refuses larger bodies")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{what} file {path!r} is not UTF-8 text") from None
    if text is None:
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise UsageError(
            f"{what} is {size} bytes: the Dapr sidecar refuses bodies over 4 MiB (4194304 bytes)"
        )
    if not raw:
        try:
            loads_bounded(text)
        except TooDeepError:
            raise UsageError(
                f"{what} nests arrays/objects more than {MAX_JSON_DEPTH} levels deep: "
                "wfctl (and `wfctl serve`) refuse such JSON"
            ) from None
        except ValueError as exc:
            raise UsageError(
                f"{what} is not valid JSON ({exc}); quote strings like '\"text\"', "
                "or pass --raw to send it as is"
            ) from None
    return text


def for_each(ids: Sequence[str], action: Callable[[str], None]) -> None:
    """Run ``action`` per ID; with several IDs, report each failure and end with the first
    failing one's exit code (one ID: the error propagates to the boundary)."""
    if len(ids) == 1:
        action(ids[0])
        return
    first = 0
    for iid in ids:
        try:
            action(iid)
        except WfctlError as exc:
            errors.print_error(str(exc))
            first = first or int(exc.exit_code)
    if first:
        import typer

        raise typer.Exit(first)


def confirm(action: str, *, yes: bool) -> None:
    """Ask "<action>?" before something destructive; with no terminal, fail and name --yes.
    A "no" (or Ctrl-D) raises DeclinedError (exit 20), Ctrl-C at the prompt KeyboardInterrupt."""
    if yes:
        return
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError(
            f"refusing to {action} without confirmation: pass --yes (no terminal to ask on)"
        )
    import typer

    try:
        yes = typer.confirm(action[:1].upper() + action[1:] + "?", default=False, err=True)
    except typer.Abort as exc:  # Ctrl-C or end of input at the prompt
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        yes = False  # Ctrl-D: no answer is a "no"
    if not yes:
        raise DeclinedError(f"nothing done: the answer to '{action}?' was no")
