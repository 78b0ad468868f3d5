"""Import the administrative boundaries: a dry run unless --commit."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from geo.importing import ImportReport, boundaries_import, default_source

SHOWN_CHANGES = 40


class Command(BaseCommand):
    help = (
        "Import provinces and communes from a GeoJSON boundary source "
        "(provinces.geojson[.xz] + communes_by_province/). Prints a dry run unless --commit."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # "resolve" lets --version name the boundary version label instead of
        # Django's "print Django's version", which matters less here.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--source", type=Path, default=None, help="Source directory.")
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            metavar="CODE",
            help="Import only this province (2-digit code) and its communes; repeatable.",
        )
        parser.add_argument("--commit", action="store_true", help="Write the changes.")
        parser.add_argument(
            "--version",
            dest="version_label",
            metavar="LABEL",
            help="Label of the boundary version created if anything changes.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["source"] or default_source()
        if not source.is_dir():
            raise CommandError(f"{source}: not a directory")
        try:
            report = boundaries_import(
                source=source,
                provinces=options["provinces"],
                commit=options["commit"],
                version_label=options["version_label"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self._print(report, verbosity=options["verbosity"])

    def _print(self, report: ImportReport, *, verbosity: int) -> None:
        scope = "all provinces" if report.provinces is None else ", ".join(report.provinces)
        mode = "Imported" if report.committed else "Dry run (nothing saved)"
        self.stdout.write(f"{mode}: {scope}.")
        for line in report.repaired:
            self.stdout.write(self.style.WARNING(f"repaired invalid geometry: {line}"))
        shown = report.changes if verbosity > 1 else report.changes[:SHOWN_CHANGES]
        for line in shown:
            self.stdout.write(f"  {line}")
        if len(shown) < len(report.changes):
            self.stdout.write(f"  … and {len(report.changes) - len(shown)} more (-v 2 shows all)")
        if not report.changed:
            self.stdout.write(f"Nothing to change ({report.unchanged} units unchanged).")
        else:
            verb = "created" if report.committed else "would be created"
            self.stdout.write(f"Boundary version {report.version_label!r} {verb}.")
        self.stdout.write(
            f"units: {report.created} created, {report.updated} updated "
            f"({report.reshaped} with a new boundary), {report.unchanged} unchanged, "
            f"{report.retired} retired; {report.pieces} pieces; "
            f"{len(report.repaired)} repaired; {report.seconds:.1f} s"
        )
        if report.changed and not report.committed:
            self.stdout.write(self.style.NOTICE("Run again with --commit to save."))
