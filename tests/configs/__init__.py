"""The configuration matrix: one directory per configuration a site can run.

Each ``tests/configs/<name>/`` holds ``settings.py`` (a complete settings
module), ``urls.py`` and ``flow.py``; tests/cross/test_configurations.py starts each
in fresh processes: ``manage.py check --deploy`` and ``python -m
tests.configs.<name>.flow``. Recipes the docs show are copied into the
settings between ``# recipe: <page>#<label>`` and ``# end recipe`` lines, and
the runner checks the docs still contain them word for word.

The settings modules repeat each other (middleware lists, allauth blocks): on
purpose. Each reads as the complete settings a site would write for that
configuration, and the recipes in them must match the docs word for word, so
they are not factored into shared pieces (``_common`` holds only what no recipe
shows). The test apps' migrations repeat each other too: they are generated.
"""
