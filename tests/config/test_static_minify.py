"""Minified static files (config/static_storage.py): the same programs, smaller.

The tests and DEBUG serve the sources; phones get what collectstatic wrote.
So every script of ours is parsed before and after minifying (an ES5 parser,
calmjs.parse: the scripts are ES5 for old phones) and must be the same
program, and a real collectstatic is run to see what it writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from calmjs.parse import es5
from calmjs.parse.unparsers.es5 import minify_print
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from config.static_storage import minifiable, minified

STATIC = Path(settings.BASE_DIR) / "static"
# The service worker is served by config/pwa.py, minified the same way.
WORKER = Path(settings.BASE_DIR) / "config" / "service_worker.js"
OURS = sorted(p for p in STATIC.rglob("*.js") if minifiable(str(p.relative_to(STATIC))))
SCRIPTS = [*OURS, WORKER]
STYLES = sorted(p for p in STATIC.rglob("*.css") if minifiable(str(p.relative_to(STATIC))))


def test_the_scripts_and_styles_of_the_offline_shell_are_among_those_minified() -> None:
    names = {str(p.relative_to(STATIC)) for p in [*OURS, *STYLES]}
    assert {"js/offline.js", "js/live.js", "reports/intake.js", "css/xadesk.css"} <= names
    assert not any("vendor" in name for name in names)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_a_minified_script_is_the_same_program(path: Path) -> None:
    source = path.read_text()
    small = minified(str(path), source)
    assert len(small) < len(source)
    # Printed from their syntax trees, the source and its minified copy are
    # one text: no statement lost, joined wrongly or reordered.
    assert minify_print(es5(small)) == minify_print(es5(source))


@pytest.mark.parametrize("path", STYLES, ids=lambda p: str(p.relative_to(STATIC)))
def test_a_minified_stylesheet_keeps_its_rules(path: Path) -> None:
    source = path.read_text()
    small = minified(str(path), source)
    assert len(small) < len(source)
    assert "/*" not in small
    without_comments = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    # Every rule and every address it uses, in the same order.
    for mark in ("{", "}", "url("):
        assert small.count(mark) == without_comments.count(mark), mark
    selectors = [s.strip() for s in re.findall(r"([^{}]+)\{", without_comments)]
    assert [re.sub(r"\s+", "", s) for s in selectors] == [
        re.sub(r"\s+", "", s) for s in re.findall(r"([^{}]+)\{", small)
    ]


def test_collectstatic_writes_our_files_minified_and_hashed(tmp_path: Path) -> None:
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "config.static_storage.MinifiedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
        manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
        live = (tmp_path / manifest["js/live.js"]).read_text()
        assert live == minified("js/live.js", (STATIC / "js/live.js").read_text())
        # The stylesheet's addresses still point at hashed files that exist.
        css = (tmp_path / manifest["css/xadesk.css"]).read_text()
        for address in re.findall(r"url\(['\"]?([^'\")]+)", css):
            if not address.startswith(("data:", "#", "http")):
                assert (
                    (tmp_path / manifest["css/xadesk.css"])
                    .parent.joinpath(address.split("#")[0])
                    .resolve()
                    .exists()
                ), address
        # Leaflet and Django's admin as they come.
        leaflet = "geo/vendor/leaflet-1.9.4/leaflet.js"
        assert (tmp_path / manifest[leaflet]).read_bytes() == (STATIC / leaflet).read_bytes()
        assert (
            "// Core JavaScript helper functions"
            in (tmp_path / manifest["admin/js/core.js"]).read_text()
        )
        # A second run writes the same names: the copies are made from the sources.
        call_command("collectstatic", interactive=False, verbosity=0)
        again = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
        assert again["js/live.js"] == manifest["js/live.js"]


def test_a_new_minifier_is_a_new_service_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second read: the worker's version hashed the sources only, so a new
    minifier changed the files phones are sent while the worker stayed the
    same, and its offline shell named files that were gone."""
    from config import pwa

    before = pwa._static_digest()
    monkeypatch.setattr(pwa, "MINIFIER_VERSION", "9.9.9 9.9.9 0")
    assert pwa._static_digest() != before
