"""The layers hold: no import cycles in ``pipeline/`` (lazy imports included, ``TYPE_CHECKING``
imports excluded), and no re-export lists."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    typing_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for node in ast.walk(branch)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert "pipeline.run.batch" in graph and graph["pipeline.console"]
    assert cycles(graph) == []


def test_no_reexport_lists() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            target.id
            for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)
        }
        assert "__all__" not in names, path


# The layers, lowest first. A module imports only from its own part or from a lower layer
# (lazy imports included, ``TYPE_CHECKING`` imports excluded): text < fix < translate, qa <
# settings < render < run < editor < cli. Parts in one layer do not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    # pipeline.rules: what a rule and a kind are; every stage declares its rules with them.
    ("pipeline.errors", "pipeline.document", "pipeline.rules"),
    ("pipeline.fsutil",),
    ("pipeline.text",),
    ("pipeline.fix",),
    ("pipeline.translate", "pipeline.qa"),
    # pipeline.registry collects every stage's rules, for render, the run and the CLI.
    ("pipeline.stagespec", "pipeline.registry"),
    ("pipeline.settings",),
    ("pipeline.render",),
    ("pipeline.run",),
    ("pipeline.editor",),
    ("pipeline.console",),
    ("pipeline.cli",),
    ("pipeline.__main__",),
)


def part_of(module: str) -> str:
    """The part of the layout a module belongs to: ``pipeline.fix.casing`` → ``pipeline.fix``."""
    parts = [part for layer in LAYERS for part in layer]
    matches = [part for part in parts if module == part or module.startswith(part + ".")]
    return max(matches, key=len) if matches else module


def layer_of(module: str) -> int:
    part = part_of(module)
    for rank, layer in enumerate(LAYERS):
        if part in layer:
            return rank
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import that goes to a higher layer, or sideways to another part of one layer."""
    found = []
    for module, imported in sorted(graph.items()):
        if module == "pipeline":
            continue
        for other in sorted(imported):
            if other == "pipeline" or part_of(other) == part_of(module):
                continue
            if layer_of(other) >= layer_of(module):
                found.append(f"{module} -> {other}")
    return found


def test_layer_checker_finds_an_upward_import() -> None:
    graph = {"pipeline.text.normalize": {"pipeline.fix.casing"}, "pipeline.fix.casing": set(),
             "pipeline.qa.check": {"pipeline.translate.quality"}}
    assert upward_imports(graph) == [
        "pipeline.qa.check -> pipeline.translate.quality",
        "pipeline.text.normalize -> pipeline.fix.casing",
    ]


def test_every_module_has_a_layer() -> None:
    for module in import_graph():
        if module != "pipeline":
            layer_of(module)


def test_imports_go_down_the_layers() -> None:
    assert upward_imports(import_graph()) == []


def test_every_part_says_what_it_owns() -> None:
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"{init}: say what the part owns and may import"
