"""Ids as one array parameter: how the search hands its candidates to the queries that rank,
count and page them."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


class IdArray(str):
    """Ids as the text of a PostgreSQL array, written once: `pk__any=IdArray(ids)`."""

    def __new__(cls, ids: Iterable[int]) -> Self:
        return super().__new__(cls, "{" + ",".join(map(str, map(int, ids))) + "}")


@models.IntegerField.register_lookup
class AnyOf(models.Lookup):  # type: ignore[type-arg]  # generic in django-stubs alone
    """`pk__any=ids`: "id = ANY(%s)", the ids as one array parameter, where `pk__in` writes,
    binds and plans one parameter an id (and Django resolves each of them on every query)."""

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(
        self, value: Any, connection: "BaseDatabaseWrapper"
    ) -> tuple[str, list[str | int]]:
        # As the text of an array: adapting a list of a thousand ints is the dearer way.
        return "%s::bigint[]", [value if isinstance(value, IdArray) else IdArray(value)]

    def as_sql(
        self, compiler: "SQLCompiler", connection: "BaseDatabaseWrapper"
    ) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
