"""The Django internals of guest_auth's fast paths: guest creation in one statement
(guest_auth._create) and the purge's deletes by key (guest_auth._purge).

CONTRIBUTING.md's rule: every Django internal the package relies on is pinned by
a test, so that a Django upgrade that changes one fails here first.
"""


def test_django_internals_of_model_save_it_repeats():
    import inspect

    from django.db.models import Model

    # _saves_plainly compares these to the model's own.
    for name in ("save", "save_base", "_save_table", "_do_insert"):
        assert callable(getattr(Model, name)), name
    assert callable(Model._prepare_related_fields_for_save)
    assert callable(Model._is_pk_set)
    # _write_at_once mirrors _save_table's INSERT: these attributes and arguments.
    source = inspect.getsource(Model._save_table)
    assert "meta.db_returning_fields" in source
    assert "meta.auto_field" in source and "f.generated" in source
    assert "get_pk_value_on_save" in source
    assert list(inspect.signature(Model._do_insert).parameters) == [
        "self",
        "manager",
        "using",
        "fields",
        "returning_fields",
        "raw",
    ]


def test_django_internals_of_the_insert_compiler():
    from django.db.models.sql import InsertQuery
    from django.db.models.sql.compiler import SQLCompiler, SQLInsertCompiler

    assert SQLInsertCompiler.returning_fields is None  # set by execute_sql() from its argument
    assert callable(InsertQuery.insert_values)
    assert callable(SQLCompiler.get_converters) and callable(SQLCompiler.apply_converters)


def test_django_internals_of_the_purge_deletes_by_key():
    import inspect

    from django.db.models.deletion import Collector, get_candidate_relations_to_delete

    # fast_deletes takes the collector's own decision, per relation, as collect() does.
    assert list(inspect.signature(Collector.can_fast_delete).parameters) == [
        "self",
        "objs",
        "from_field",
    ]
    assert "self.can_fast_delete(related_model, from_field=field)" in inspect.getsource(
        Collector.collect
    )
    assert callable(get_candidate_relations_to_delete)
