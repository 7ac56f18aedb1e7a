# Runs after allauth.py's flow (FLOW_BASES in test_recipes.py): the same signup promotes
# the guest in place; the social recipe adds the provider apps.
# socialaccount and its provider import (the extra's requests is installed).
from django.apps import apps

expect(apps.is_installed("allauth.socialaccount"), "socialaccount is installed")
print("flow ok")
