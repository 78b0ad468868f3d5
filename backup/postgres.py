"""The database side of a backup: connection details, pg_dump and pg_restore.

The dump is PostgreSQL's own custom format (``pg_dump -Fc``): compressed,
restorable object by object, and readable by any newer pg_restore.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from psycopg import sql
from psycopg.conninfo import make_conninfo

from backup.errors import DatabaseUnreachable, ExtensionMissing, ToolFailed

# libpq parameters that may sit in DATABASES[...]["OPTIONS"]; the other keys
# there (pool, server_side_binding, ...) are Django's own.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}
# The app's own objects live in ordinary schemas; these belong to PostgreSQL.
_SYSTEM_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'"
# Objects that an extension (PostGIS, pg_trgm) created belong to it, not to
# the app: they are neither counted as data nor dropped by --force.
_NOT_FROM_EXTENSION = """NOT EXISTS (
    SELECT 1 FROM pg_depend d
    WHERE d.classid = {catalog}::regclass AND d.objid = {oid} AND d.deptype = 'e')"""


@dataclass(frozen=True)
class Database:
    """Where the configured database is, as libpq and its tools want it."""

    name: str
    user: str
    password: str
    host: str
    port: str
    options: dict[str, str]

    @classmethod
    def configured(cls, alias: str = "default") -> Database:
        conf = connections[alias].settings_dict
        given = conf.get("OPTIONS", {})
        options = {key: str(value) for key, value in given.items() if key in _LIBPQ_OPTIONS}
        return cls(
            name=str(conf["NAME"]),
            user=str(conf.get("USER") or ""),
            password=str(conf.get("PASSWORD") or ""),
            host=str(conf.get("HOST") or ""),
            port=str(conf.get("PORT") or ""),
            options=options,
        )

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection[tuple[Any, ...]]:
        params = {
            "dbname": self.name,
            "user": self.user,
            "password": self.password,
            "host": self.host,
            "port": self.port,
            **self.options,
        }
        given = {key: value for key, value in params.items() if value}
        try:
            return psycopg.connect(make_conninfo(**given), autocommit=autocommit)
        except psycopg.OperationalError as exc:
            where = f"{self.host or 'localhost'}:{self.port or 5432}"
            raise DatabaseUnreachable(
                f"Cannot connect to the database {self.name} at {where} as {self.user or '?'} "
                f"(check DATABASE_URL, and that PostgreSQL runs): {str(exc).strip()}"
            ) from None

    def tool_env(self) -> dict[str, str]:
        """The environment for pg_dump/pg_restore: the password never on a command line."""
        env = dict(os.environ)
        for key, value in (
            ("PGDATABASE", self.name),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGHOST", self.host),
            ("PGPORT", self.port),
        ):
            if value:
                env[key] = value
            else:
                env.pop(key, None)
        for key, value in self.options.items():
            env[_LIBPQ_OPTIONS[key]] = value
        return env


def server_major(conn: psycopg.Connection[tuple[Any, ...]]) -> int:
    return int(conn.info.server_version) // 10000


def tool_version(path: str) -> str:
    """What ``<tool> --version`` says, e.g. "pg_dump (PostgreSQL) 15.18"."""
    args = [path, "--version"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603


def _tool_major(path: str) -> int:
    out = tool_version(path)
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if match is None:
        raise ToolFailed(f"Could not read the version of {path}: {out.strip()!r}.")
    return int(match.group(1))


def pg_tool(name: str, *, server: int) -> str:
    """Find pg_dump or pg_restore for a server of major version ``server``.

    Looked for as scripts/provision.sh picks the PostgreSQL it runs: the newest
    /usr/lib/postgresql/<version>/bin, then PATH; XADESK_PG_BIN overrides both.
    pg_dump refuses a server newer than itself, so an older one is refused here
    with a sentence rather than its error.
    """
    if settings.PG_BIN_DIR:
        candidates = [str(Path(settings.PG_BIN_DIR) / name)]
    else:
        versioned = sorted(
            glob.glob("/usr/lib/postgresql/*/bin"),
            key=lambda d: int(re.sub(r"\D", "", Path(d).parent.name) or 0),
            reverse=True,
        )
        candidates = [str(Path(d) / name) for d in versioned]
        on_path = shutil.which(name)
        if on_path:
            candidates.append(on_path)
    found = [c for c in candidates if os.access(c, os.X_OK)]
    if not found:
        raise ToolFailed(
            f"{name} was not found (looked in {', '.join(candidates) or 'PATH'}): install the "
            f"PostgreSQL {server} client (postgresql-client-{server}) or set XADESK_PG_BIN."
        )
    for path in found:
        if _tool_major(path) >= server:
            return path
    raise ToolFailed(
        f"{found[0]} is older than the PostgreSQL {server} server and cannot work with it: "
        f"install postgresql-client-{server} or set XADESK_PG_BIN to its bin folder."
    )


@contextmanager
def exported_snapshot(db: Database) -> Iterator[tuple[psycopg.Connection[tuple[Any, ...]], str]]:
    """Hold a read-only REPEATABLE READ transaction open and export its snapshot.

    pg_dump --snapshot dumps exactly what this transaction sees, so the counts,
    the migration state and the photo names read here describe the dump, even
    while the app keeps writing.
    """
    with db.connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        try:
            yield conn, str(row[0])
        finally:
            conn.rollback()


def run_tool(args: list[str], *, env: dict[str, str], what: str) -> str:
    # The arguments are PostgreSQL's tools and paths this module chose.
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = result.stderr.strip() or result.stdout.strip()
        raise ToolFailed(f"{what} failed ({Path(args[0]).name} exit {result.returncode}): {detail}")
    return result.stdout


def database_dump(*, db: Database, snapshot: str, server: int, path: Path) -> str:
    """Dump the database as seen by ``snapshot`` to ``path``; return pg_dump's version."""
    pg_dump = pg_tool("pg_dump", server=server)
    run_tool(
        [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={path}"],
        env=db.tool_env(),
        what="Dumping the database",
    )
    return tool_version(pg_dump)


def user_tables(conn: psycopg.Connection[tuple[Any, ...]]) -> list[str]:
    """The tables in the database that are not an extension's."""
    rows = conn.execute(
        f"""SELECT n.nspname || '.' || c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND {_SYSTEM_SCHEMAS}
        AND {_NOT_FROM_EXTENSION.format(catalog="'pg_class'", oid="c.oid")}
        ORDER BY 1"""  # noqa: S608 - constant SQL, no input
    ).fetchall()
    return [str(row[0]) for row in rows]


def database_empty(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
    """Drop every table, view, sequence and function that is not an extension's.

    Extensions stay: PostGIS may only be created by a superuser, which the app
    role need not be.
    """
    relations = conn.execute(
        f"""SELECT c.relkind, c.oid::regclass::text FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND {_SYSTEM_SCHEMAS}
        AND {_NOT_FROM_EXTENSION.format(catalog="'pg_class'", oid="c.oid")}"""  # noqa: S608
    ).fetchall()
    kinds = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW"}
    kinds |= {"m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    # Tables first: CASCADE takes their views and owned sequences along.
    for kind, name in sorted(relations, key=lambda r: r[0] not in "rpf"):
        conn.execute(
            sql.SQL("DROP {} IF EXISTS {} CASCADE").format(
                sql.SQL(kinds[kind]),
                sql.SQL(name),  # regclass text: already quoted
            )
        )
    functions = conn.execute(
        f"""SELECT p.oid::regprocedure::text FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE {_SYSTEM_SCHEMAS}
        AND {_NOT_FROM_EXTENSION.format(catalog="'pg_proc'", oid="p.oid")}"""  # noqa: S608
    ).fetchall()
    for (signature,) in functions:
        conn.execute(sql.SQL("DROP FUNCTION IF EXISTS {} CASCADE").format(sql.SQL(signature)))


def extensions_ensure(conn: psycopg.Connection[tuple[Any, ...]], names: list[str]) -> None:
    """Create the dump's extensions the target lacks, all or none, or say who must."""
    present = {str(r[0]) for r in conn.execute("SELECT extname FROM pg_extension").fetchall()}
    name = ""
    try:
        with conn.transaction():
            for name in (n for n in names if n not in present):
                conn.execute(
                    sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(name))
                )
    except psycopg.errors.InsufficientPrivilege:
        raise ExtensionMissing(
            f"The database {conn.info.dbname} has no {name} extension and this role may "
            f"not create it: as a PostgreSQL superuser run `CREATE EXTENSION {name};` in "
            f"that database (or in template1 before creating it), then restore again."
        ) from None
    except (psycopg.errors.FeatureNotSupported, psycopg.errors.UndefinedFile) as exc:
        raise ExtensionMissing(
            f"The {name} extension is not installed on the PostgreSQL server ({exc}): "
            f"install it (for PostGIS: postgresql-<version>-postgis-3), then restore again."
        ) from None


def extension_config_tables(conn: psycopg.Connection[tuple[Any, ...]]) -> set[tuple[str, str]]:
    """(schema, table) of tables whose rows belong to an extension (spatial_ref_sys)."""
    rows = conn.execute(
        """SELECT n.nspname, c.relname FROM pg_extension e
        CROSS JOIN LATERAL unnest(e.extconfig) AS cfg(oid)
        JOIN pg_class c ON c.oid = cfg.oid JOIN pg_namespace n ON n.oid = c.relnamespace"""
    ).fetchall()
    return {(str(schema), str(table)) for schema, table in rows}


@dataclass(frozen=True)
class TocEntry:
    line: str
    kind: str
    schema: str
    name: str


def dump_contents(*, dump: Path, server: int) -> list[TocEntry]:
    """The dump's table of contents (pg_restore --list), one entry per object."""
    pg_restore = pg_tool("pg_restore", server=server)
    listing = run_tool([pg_restore, "--list", str(dump)], env=dict(os.environ), what="Reading")
    entries = []
    # "4304; 0 16697 TABLE DATA public spatial_ref_sys postgres"
    pattern = re.compile(
        r"^\d+; \d+ \d+ (?P<kind>[A-Z]+(?: [A-Z]+)*) (?P<schema>\S+) (?P<name>\S+)"
    )
    for line in listing.splitlines():
        if not line or line.startswith(";"):
            continue
        match = pattern.match(line)
        if match is None:
            entries.append(TocEntry(line=line, kind="", schema="", name=""))
            continue
        entries.append(TocEntry(line=line, **match.groupdict()))
    return entries


def database_restore(
    *, db: Database, dump: Path, server: int, entries: list[TocEntry], skip: set[tuple[str, str]]
) -> None:
    """Restore the dump's objects, but not its extensions or their config rows, in one transaction.

    Extensions are made beforehand (extensions_ensure): their CREATE and
    COMMENT need the extension's owner, often a superuser. ``skip`` holds the
    extension config tables, whose rows the target's own extension owns.
    """
    keep = [
        e.line
        for e in entries
        if e.kind != "EXTENSION"
        and not (e.kind == "COMMENT" and e.schema == "-" and e.name == "EXTENSION")
        and not (e.kind == "TABLE DATA" and (e.schema, e.name) in skip)
    ]
    listing = dump.with_suffix(".list")
    listing.write_text("\n".join(keep) + "\n")
    run_tool(
        [
            pg_tool("pg_restore", server=server),
            f"--dbname={db.name}",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--use-list={listing}",
            str(dump),
        ],
        env=db.tool_env(),
        what="Restoring the database",
    )


def extension_names(entries: list[TocEntry]) -> list[str]:
    return [e.name for e in entries if e.kind == "EXTENSION"]
