"""Ids as one array parameter: how the search hands its candidates to the queries that rank,
count and page them."""

from django.db import models


class IdArray(str):
    """Ids as the text of a PostgreSQL array, written once: `pk__any=IdArray(ids)`."""

    def __new__(cls, ids):
        return super().__new__(cls, "{" + ",".join(map(str, map(int, ids))) + "}")


@models.IntegerField.register_lookup
class AnyOf(models.Lookup):
    """`pk__any=ids`: "id = ANY(%s)", the ids as one array parameter, where `pk__in` writes,
    binds and plans one parameter an id (and Django resolves each of them on every query)."""

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        # As the text of an array: adapting a list of a thousand ints is the dearer way.
        return "%s::bigint[]", [value if isinstance(value, IdArray) else IdArray(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
