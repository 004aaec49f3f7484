"""The modules' boundaries: no import circles, and a search package that knows nothing of the
archive's models (docs/architecture.md)."""

import grimp
import pytest

from newsroom.import_cycles import cycles, import_graph


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_no_module_imports_one_that_imports_it_back(graph):
    assert cycles(graph) == []


def test_the_search_package_never_reaches_the_models(graph):
    for module in graph.find_children("archive.search") | {"archive.search"}:
        chain = graph.find_shortest_chain(importer=module, imported="archive.models")
        assert chain is None, f"{module} reaches the models: {' → '.join(chain)}"
    assert (
        graph.find_upstream_modules("archive.search", as_package=True)
        & {
            "archive.models",
            "archive.views",
            "archive.admin",
        }
        == set()
    )


def test_the_rules_module_needs_no_django(graph):
    assert not graph.find_modules_directly_imported_by("archive.search.rules")


def test_a_circle_is_found_through_any_number_of_modules():
    made = grimp.ImportGraph()
    for name in ("a", "a.one", "a.two", "a.three", "a.four"):
        made.add_module(name)
    made.add_import(importer="a.one", imported="a.two")
    made.add_import(importer="a.two", imported="a.three")
    made.add_import(importer="a.three", imported="a.one")  # the circle: one → two → three → one
    made.add_import(importer="a.four", imported="a.one")  # leads into it, is not part of it
    assert cycles(made) == [["a.one", "a.three", "a.two"]]
