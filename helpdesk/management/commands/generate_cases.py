"""Fill a throwaway database with years of synthetic cases, for the scale benchmarks."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from helpdesk.synthetic import Plan, cases_build


class Command(BaseCommand):
    help = (
        "Write N synthetic cases (with events, supporters, departments, officers) by COPY "
        "into an empty database. Prints the plan unless --commit."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            metavar="CODE",
            help="Province code (repeatable; default 19 20 24 66 01); the first is the main one.",
        )
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--seed", type=int, default=20260701)
        parser.add_argument("--commit", action="store_true", help="Write the data.")

    def handle(self, *args: Any, **options: Any) -> None:
        provinces = options["provinces"] or ["19", "20", "24", "66", "01"]
        plan = Plan(
            cases=options["cases"],
            provinces=provinces,
            years=options["years"],
            seed=options["seed"],
            main_province=provinces[0],
        )
        self.stdout.write(
            f"{plan.cases:,} cases over {plan.years} years in provinces {', '.join(provinces)}"
            f" ({provinces[0]} the busiest), seed {plan.seed}"
        )
        if not options["commit"]:
            self.stdout.write("Dry run: nothing written (add --commit).")
            return
        started = time.perf_counter()
        try:
            built = cases_build(plan, log=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Wrote {built.tickets:,} cases, {built.events:,} events, {built.supports:,}"
            f" supporters, {built.departments} departments, {built.staff:,} staff,"
            f" {built.residents:,} residents in {time.perf_counter() - started:.1f} s"
        )
        self.stdout.write(
            "By status: " + ", ".join(f"{k} {v:,}" for k, v in built.by_status.items())
        )
