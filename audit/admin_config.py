"""django.contrib.admin's app config, with the audited default site.

Listed in INSTALLED_APPS in place of "django.contrib.admin" (config/settings.py),
so every ``@admin.register`` of every app, Django's own included, registers on
audit/admin_site.py's site. A module of its own: INSTALLED_APPS imports it
before any model is loaded, and an app's apps.py may declare only one config.
"""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "audit.admin_site.AuditedAdminSite"
