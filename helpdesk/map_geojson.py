"""Map clusters (helpdesk/map_clusters.py) as GeoJSON, for the officer and the public map."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from helpdesk.map_clusters import Cluster, MapClusters

# A bubble names this many communes; more are "and N others".
NAMED_COMMUNES = 3


def cluster_label(cluster: Cluster) -> str:
    """What a bubble says in words (read by screen readers, shown on focus)."""
    cases = ngettext("%(count)d case", "%(count)d cases", cluster.count) % {"count": cluster.count}
    names = [name for _code, name in cluster.communes[:NAMED_COMMUNES]]
    others = len(cluster.communes) - len(names)
    if others:
        names.append(
            ngettext("%(count)d other commune", "%(count)d other communes", others)
            % {"count": others}
        )
    if not names:
        return cases
    return _("%(places)s: %(cases)s") % {"places": ", ".join(names), "cases": cases}


def feature_collection(
    found: MapClusters,
    *,
    point_properties: Callable[[dict[str, Any]], dict[str, Any]],
    public: bool = False,
) -> dict[str, Any]:
    """A FeatureCollection: one Point feature per bubble (``cluster: true``,
    ``count``, ``label``) and per point (``cluster: false`` and what
    ``point_properties`` makes of its row), plus ``total`` and ``capped``."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "cluster": True,
                "count": c.count,
                "label": cluster_label(c),
                "communes": [code for code, _name in c.communes],
            },
        }
        for c in found.clusters
    ]
    for row in found.points:
        properties = point_properties(row)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [properties.pop("lon"), properties.pop("lat")],
                },
                "properties": {"cluster": False, "count": 1, **properties},
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": found.total,
        "capped": found.capped,
        "summary": map_summary(found, public=public),
    }


# (public map, capped) -> the status line. The public map's word is
# "reports", as its page says throughout (it said "cases" above a list of
# "reports": a helper walking make run); the console's is "cases". Past the
# cap the count is "more than" one below it.
_SUMMARIES = {
    (False, False): ngettext_lazy(
        "%(count)d case in this map area", "%(count)d cases in this map area", "count"
    ),
    (False, True): ngettext_lazy(
        "More than %(count)d case in this map area",
        "More than %(count)d cases in this map area",
        "count",
    ),
    (True, False): ngettext_lazy(
        "%(count)d report in this map area", "%(count)d reports in this map area", "count"
    ),
    (True, True): ngettext_lazy(
        "More than %(count)d report in this map area",
        "More than %(count)d reports in this map area",
        "count",
    ),
}


def map_summary(found: MapClusters, *, public: bool = False) -> str:
    """How many cases the view holds, in words (the map's live status line)."""
    count = found.total - 1 if found.capped else found.total
    return str(_SUMMARIES[(public, found.capped)] % {"count": count})
