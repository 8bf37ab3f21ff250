"""Find import cycles between packages: exit 1 and print each cycle with the imports that close it.

Reads the import graph of our code (grimp, the library import-linter is built on; imports inside
functions count). For the top-level packages, and for the sub-packages of every package, an edge
A -> B means some module in A imports some module in B; a cycle among siblings is reported.
Modules inside one package may import each other both ways (a service queues its app's task);
packages may not.

    python scripts/package_cycles.py
"""

from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = ("config", "merchant", "personalization", "primitives", "privacy", "shop")


def _is_package(graph: grimp.ImportGraph, module: str) -> bool:
    return bool(graph.find_children(module))


def _edges(graph: grimp.ImportGraph, siblings: list[str]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in siblings}
    for a, b in combinations(siblings, 2):
        for source, target in ((a, b), (b, a)):
            if graph.find_matching_direct_imports(import_expression=f"{source}.** -> {target}.**") or \
                    graph.find_matching_direct_imports(import_expression=f"{source}.** -> {target}") or \
                    graph.find_matching_direct_imports(import_expression=f"{source} -> {target}.**") or \
                    graph.find_matching_direct_imports(import_expression=f"{source} -> {target}"):
                edges[source].add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def package_cycles(*, top_level: tuple[str, ...] = TOP_LEVEL, root: Path = ROOT,
                   cache: bool = True) -> list[tuple[list[str], list[str]]]:
    """Each cycle between sibling packages, with the direct imports that make it."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    graph = grimp.build_graph(*top_level) if cache else grimp.build_graph(*top_level, cache_dir=None)
    sibling_sets = [list(top_level)]
    for module in sorted(graph.modules):
        children = sorted(child for child in graph.find_children(module) if _is_package(graph, child))
        if len(children) > 1:
            sibling_sets.append(children)
    found = []
    for siblings in sibling_sets:
        edges = _edges(graph, siblings)
        for group in _cycles(edges):
            imports = []
            for source in group:
                for target in sorted(edges[source] & set(group)):
                    example = (graph.find_matching_direct_imports(import_expression=f"{source}.** -> {target}.**")
                               or graph.find_matching_direct_imports(import_expression=f"{source}.** -> {target}")
                               or graph.find_matching_direct_imports(import_expression=f"{source} -> {target}.**")
                               or graph.find_matching_direct_imports(import_expression=f"{source} -> {target}"))
                    first = example[0]
                    imports.append(f"{first['importer']} -> {first['imported']}")
            found.append((group, imports))
    return found


def main() -> int:
    found = package_cycles()
    for group, imports in found:
        print("Cycle between packages: " + " <-> ".join(group))
        for line in imports:
            print(f"    {line}")
    if not found:
        print("No import cycle between packages.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
