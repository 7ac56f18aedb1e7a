from django.conf import settings
from django.contrib import admin

from .models import EmailUser

if settings.AUTH_USER_MODEL == "testapp.EmailUser":
    admin.site.register(EmailUser, admin.ModelAdmin)
