"""Issue an Open311 API key from the command line (the admin does the same).

    manage.py issue_open311_key "City app" --account 0912345678 [--contact "IT team"]

Prints the key once; only its hash is stored. The account (the app's operator)
must exist: the app's requests are filed under it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.phones import phone_normalize
from core.errors import DomainError
from open311.keys import client_issue


class Command(BaseCommand):
    help = "Issue an API key for an Open311 client application and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The application's name.")
        parser.add_argument("--account", required=True, help="Mobile number of its operator.")
        parser.add_argument("--contact", default="", help="Who runs the application.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            phone = phone_normalize(options["account"])
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        account = User.objects.filter(phone=phone).first()
        if account is None:
            raise CommandError(f"No account has the number {phone}.")
        issued = client_issue(name=options["name"], account=account, contact=options["contact"])
        self.stdout.write(issued.key)
