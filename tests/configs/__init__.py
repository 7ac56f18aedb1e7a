"""The configuration matrix: one directory per configuration a site can run.

Each ``tests/configs/<name>/`` holds ``settings.py`` (a complete settings
module), ``urls.py`` and ``flow.py`` (``python -m tests.configs.<name>.flow``
with DJANGO_SETTINGS_MODULE set: sets up its own database, runs a short real
flow and exits 0). Recipes the docs show are copied into the settings between
``# recipe: <page>#<label>`` and ``# end recipe`` lines.
"""
