"""Domain errors of the geo app, each with a stable ``code``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotFound


class BoundarySourceInvalid(InvalidInput):
    """A boundary file cannot be imported as it is; the message names file and feature."""

    code = "invalid_boundary_source"
    default_message = _("The boundary files cannot be imported.")


class VersionLabelTaken(Conflict):
    """The boundary version label asked for is already used by an earlier import."""

    code = "version_label_taken"
    default_message = _("This boundary version label is already used. Choose another one.")


class InvalidCoordinates(InvalidInput):
    """A latitude or longitude is not a finite number in its range."""

    code = "invalid_coordinates"
    default_message = _(
        "Coordinates must be numbers: latitude between -90 and 90, longitude between -180 and 180."
    )


class BatchTooLarge(InvalidInput):
    """More points were sent in one lookup than one request may carry."""

    code = "batch_too_large"
    default_message = _("Too many points in one request: send at most 1,000 points at a time.")


class BatchEmpty(InvalidInput):
    """A batch lookup carried no point at all."""

    code = "batch_empty"
    default_message = _("Send at least one point to look up.")


class OutsideCoverage(NotFound):
    """No commune known to XaDesk covers the point."""

    code = "outside_coverage"
    default_message = _("The point is not inside any Vietnamese commune XaDesk knows.")


class InvalidMapArea(InvalidInput):
    """A map view's box is not ``west,south,east,north`` in degrees, in order, on the globe."""

    code = "invalid_bbox"
    default_message = _(
        "The map area must be four numbers, west,south,east,north in degrees, "
        "with west before east and south before north."
    )


class InvalidMapZoom(InvalidInput):
    """A map view's zoom is not a whole number the map can show."""

    code = "invalid_zoom"
    default_message = _("The map zoom must be a whole number from 0 to 20.")


class MapAreaTooLarge(InvalidInput):
    """A map view's box is wider or taller than a screen shows at its zoom."""

    code = "map_area_too_large"
    default_message = _(
        "The map area is too large for this zoom: zoom out or ask for a smaller area."
    )
