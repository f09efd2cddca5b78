"""The shape of wfctl/ (docs/architecture.md, "The layers"): no function over 80 lines, no
module over 500, and no private helper used across a module boundary. The layer rules and
import circles are checked by `lint-imports` (pyproject's ``[tool.importlinter]``)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 500


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def _is_module(dotted: str, root: Path) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _absolute(node: ast.ImportFrom, path: Path, root: Path) -> str:
    """The module an ``from X import ...`` names, made absolute."""
    if not node.level:
        return node.module or ""
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package.pop()
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def long_pieces(root: Path = ROOT, package: str = "wfctl") -> dict[str, str]:
    """Each piece over the bounds: ``path`` or ``path:function`` -> what is wrong."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_MODULE_LINES:
            found[rel] = f"{rel}: {lines} lines (at most {MAX_MODULE_LINES})"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    found[f"{rel}:{node.name}"] = (
                        f"{rel}:{node.lineno} {node.name} is {size} lines"
                        f" (at most {MAX_FUNCTION_LINES})"
                    )
    return found


def private_crossings(root: Path = ROOT, package: str = "wfctl") -> list[str]:
    """Each use of another module's ``_name`` (a function, class or constant) in ``package``;
    private modules are import-linter's ``private_modules`` contract."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        rel, me = path.relative_to(root).as_posix(), _module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules: dict[str, str] = {}  # local name -> wfctl module it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = _absolute(node, path, root)
                if source.split(".")[0] != package:
                    continue
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    if _is_module(full, root):
                        modules[alias.asname or alias.name] = full
                    elif _private(alias.name) and source != me:
                        found.append(f"{rel}:{node.lineno} imports {full}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == package and alias.asname:
                        modules[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and modules[node.value.id] != me
                and not _is_module(f"{modules[node.value.id]}.{node.attr}", root)
            ):
                found.append(f"{rel}:{node.lineno} uses {modules[node.value.id]}.{node.attr}")
    return found


def test_no_function_over_80_lines_and_no_module_over_500() -> None:
    assert list(long_pieces().values()) == [], "split these into smaller pieces"


def test_no_private_helper_crosses_a_module() -> None:
    assert private_crossings() == [], "make these public where they live, or move them"


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    """The walkers report a long function, a long module and each way of reaching another
    module's private name; a module's own private names and private submodules pass."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    (pkg / "sub" / "helpers.py").write_text(f"def _number():\n    pass\n\n\ndef big():\n{body}")
    (pkg / "sub" / "_private.py").write_text("VALUE = 1\n" * (MAX_MODULE_LINES + 1))
    (pkg / "user.py").write_text(
        "from .sub.helpers import _number\n"
        "from pkg.sub import helpers as h\n"
        "from .sub import _private\n"
        "h._number()\n_private.VALUE\n"
    )
    (pkg / "sub" / "same.py").write_text("from . import helpers\n")
    assert set(long_pieces(tmp_path, "pkg")) == {"pkg/sub/helpers.py:big", "pkg/sub/_private.py"}
    assert private_crossings(tmp_path, "pkg") == [
        "pkg/user.py:1 imports pkg.sub.helpers._number",
        "pkg/user.py:4 uses pkg.sub.helpers._number",
    ]
