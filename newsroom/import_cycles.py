"""Import circles among the project's modules, imports inside functions included (those under
`if TYPE_CHECKING:` are not: they never run). Prints each circle and exits 1, or says there
are none:

    .venv/bin/python -m newsroom.import_cycles

The graph is grimp's (the engine of import-linter); the circles are its strongly connected
components of more than one module."""

import sys

import grimp

PACKAGES = ("archive", "newsroom")


def import_graph():
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)


def cycles(graph) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan)."""
    modules = sorted(graph.modules)
    imports = {
        module: sorted(graph.find_modules_directly_imported_by(module)) for module in modules
    }
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(start):
        # Iterative, so that a long chain of imports cannot exhaust Python's recursion.
        work = [(start, iter(imports[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, pending = work[-1]
            for imported in pending:
                if imported not in imports:
                    continue  # outside the packages
                if imported not in index:
                    index[imported] = low[imported] = len(index)
                    stack.append(imported)
                    on_stack.add(imported)
                    work.append((imported, iter(imports[imported])))
                    break
                if imported in on_stack:
                    low[module] = min(low[module], index[imported])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
                if low[module] == index[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return sorted(found)


def main():
    graph = import_graph()
    found = cycles(graph)
    for group in found:
        print("circle:", " ⇄ ".join(group))
        for importer in group:
            for imported in group:
                if importer != imported and graph.direct_import_exists(
                    importer=importer, imported=imported
                ):
                    for detail in graph.get_import_details(importer=importer, imported=imported):
                        print(f"  {importer}:{detail['line_number']}  {detail['line_contents']}")
    if found:
        return 1
    print(f"no import circle among the {len(graph.modules)} modules of {', '.join(PACKAGES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
