"""Models of the case core, one module per concept."""

from helpdesk.models.departments import Department, DepartmentMembership, DepartmentType

__all__ = ["Department", "DepartmentMembership", "DepartmentType"]
