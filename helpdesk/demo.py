"""Demo data for `make run`: departments in every commune of Thái Nguyên and
one account per role. Everything here is marked demo; production never loads it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Role, RoleAssignment, User
from geo.models import AdminUnit
from geo.units import units_current
from helpdesk.models import Department, DepartmentMembership, DepartmentType

DEMO_PROVINCE_CODE = "19"  # Thái Nguyên
DEMO_PASSWORD = "xadesk-demo"  # noqa: S105 - printed to the console on purpose
COMMUNE_A = "05443"  # Phường Phan Đình Phùng
COMMUNE_B = "05830"  # Xã Đại Từ

# (type, name for a xã, name for a phường/đặc khu, English name)
DEPARTMENTS: tuple[tuple[DepartmentType, str, str, str], ...] = (
    (
        DepartmentType.ECONOMY_INFRASTRUCTURE,
        "Phòng Kinh tế",
        "Phòng Kinh tế, Hạ tầng và Đô thị",
        "Economy, Infrastructure and Urban Department",
    ),
    (
        DepartmentType.CULTURE_SOCIETY,
        "Phòng Văn hóa – Xã hội",
        "Phòng Văn hóa – Xã hội",
        "Culture and Society Department",
    ),
    (
        DepartmentType.PUBLIC_SERVICE_CENTRE,
        "Trung tâm Phục vụ hành chính công",
        "Trung tâm Phục vụ hành chính công",
        "Public Administration Service Centre",
    ),
    (
        DepartmentType.OFFICE,
        "Văn phòng HĐND và UBND",
        "Văn phòng HĐND và UBND",
        "Office of the People's Council and Committee",
    ),
    (
        DepartmentType.POLICE_LIAISON,
        "Công an xã (đầu mối tiếp nhận)",
        "Công an phường (đầu mối tiếp nhận)",
        "Commune Police liaison",
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    phone: str
    full_name: str
    role_label: str
    role: Role | None = None
    unit_code: str | None = None
    village: str = ""
    department: DepartmentType | None = None
    is_superuser: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("+84900000001", "Nguyễn Thị Lan", "Resident"),
    DemoAccount(
        "+84900000002",
        "Hoàng Văn Tú",
        "Digital-tech team member, Xã Đại Từ (Xóm Đồng Khuôn)",
        Role.DIGITAL_TEAM,
        COMMUNE_B,
        village="Xóm Đồng Khuôn",
    ),
    DemoAccount(
        "+84900000003",
        "Trần Minh Đức",
        "Officer, Phường Phan Đình Phùng — Economy/Infrastructure",
        Role.OFFICER,
        COMMUNE_A,
        department=DepartmentType.ECONOMY_INFRASTRUCTURE,
    ),
    DemoAccount(
        "+84900000004",
        "Lê Thu Hà",
        "Officer, Xã Đại Từ — Public Administration Service Centre",
        Role.OFFICER,
        COMMUNE_B,
        department=DepartmentType.PUBLIC_SERVICE_CENTRE,
    ),
    DemoAccount(
        "+84900000005", "Phạm Quốc Huy", "Leader, Phường Phan Đình Phùng", Role.LEADER, COMMUNE_A
    ),
    DemoAccount(
        "+84900000006",
        "Đỗ Thị Mai",
        "Province administrator, Thái Nguyên",
        Role.PROVINCE_ADMIN,
        DEMO_PROVINCE_CODE,
    ),
    DemoAccount("+84900000009", "Quản trị hệ thống", "Staff superuser", is_superuser=True),
)


def demo_departments_ensure(*, province_code: str = DEMO_PROVINCE_CODE) -> int:
    """Create the missing departments in every commune of the province; return how many."""
    communes = units_current(level=AdminUnit.Level.COMMUNE, parent_code=province_code)
    existing = set(
        Department.objects.filter(commune__in=communes).values_list("commune_id", "department_type")
    )
    new = [
        Department(
            commune=commune,
            department_type=dtype,
            name=ward_name if commune.unit_type != AdminUnit.UnitType.COMMUNE else xa_name,
            name_en=name_en,
        )
        for commune in communes
        for dtype, xa_name, ward_name, name_en in DEPARTMENTS
        if (commune.id, dtype.value) not in existing
    ]
    Department.objects.bulk_create(new)
    return len(new)


def _unit(code: str) -> AdminUnit:
    level = AdminUnit.Level.PROVINCE if len(code) == 2 else AdminUnit.Level.COMMUNE
    return AdminUnit.objects.get(level=level, code=code)


@transaction.atomic
def demo_accounts_ensure() -> int:
    """Create the demo accounts that do not exist yet; return how many were made."""
    made = 0
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(phone=account.phone).first()
        if user is None:
            user = User.objects.create_user(
                account.phone,
                DEMO_PASSWORD,
                full_name=account.full_name,
                is_demo=True,
                is_staff=account.is_superuser,
                is_superuser=account.is_superuser,
            )
            made += 1
        if account.role and account.unit_code:
            unit = _unit(account.unit_code)
            RoleAssignment.objects.get_or_create(
                user=user, role=account.role, unit=unit, defaults={"village": account.village}
            )
            if account.department:
                department = Department.objects.get(
                    commune=unit, department_type=account.department
                )
                DepartmentMembership.objects.get_or_create(department=department, user=user)
    return made
