"""The starting service catalogue. Used by a data migration, so every install
has a realistic catalogue; administrators edit it in the admin afterwards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

FIELD = "field_report"
HELP = "help_request"
ECON = "economy_infrastructure"
CULT = "culture_society"
CENTRE = "public_service_centre"
POLICE = "police_liaison"

# code, kind, vi name, en name, icon (helpdesk/icons.py), department type, SLA hours,
# location required, photo required, description required, after-photo required
SERVICES: tuple[tuple[str, str, str, str, str, str, str, bool, bool, bool, bool], ...] = (
    (
        "road_damage",
        FIELD,
        "Đường hư hỏng, ổ gà",
        "Road damage or pothole",
        "road",
        ECON,
        "24",
        True,
        True,
        False,
        True,
    ),
    (
        "trash_uncollected",
        FIELD,
        "Rác thải chưa được thu gom",
        "Uncollected trash",
        "trash",
        ECON,
        "16",
        True,
        True,
        False,
        True,
    ),
    (
        "streetlight_out",
        FIELD,
        "Đèn đường hỏng",
        "Streetlight out",
        "streetlight",
        ECON,
        "24",
        True,
        False,
        False,
        False,
    ),
    (
        "fallen_tree",
        FIELD,
        "Cây đổ, vật cản trên đường",
        "Fallen tree or obstruction",
        "tree",
        ECON,
        "8",
        True,
        True,
        False,
        True,
    ),
    (
        "flooding_drainage",
        FIELD,
        "Ngập úng, tắc cống thoát nước",
        "Flooding or blocked drainage",
        "flood",
        ECON,
        "8",
        True,
        True,
        False,
        True,
    ),
    (
        "water_supply",
        FIELD,
        "Sự cố nước sinh hoạt",
        "Water supply problem",
        "water",
        ECON,
        "16",
        True,
        False,
        True,
        False,
    ),
    (
        "illegal_dumping",
        FIELD,
        "Đổ trộm rác, phế thải",
        "Illegal dumping",
        "dumping",
        ECON,
        "24",
        True,
        True,
        False,
        True,
    ),
    (
        "public_order",
        FIELD,
        "Mất trật tự công cộng",
        "Public-order concern",
        "megaphone",
        POLICE,
        "8",
        True,
        False,
        True,
        False,
    ),
    (
        "vneid_account",
        HELP,
        "Tài khoản VNeID (định danh điện tử)",
        "VNeID account",
        "id-card",
        POLICE,
        "16",
        False,
        False,
        True,
        False,
    ),
    (
        "online_public_service",
        HELP,
        "Nộp hồ sơ dịch vụ công trực tuyến",
        "Filing public services online",
        "computer",
        CENTRE,
        "16",
        False,
        False,
        True,
        False,
    ),
    (
        "birth_residence_registration",
        HELP,
        "Đăng ký khai sinh, cư trú",
        "Birth or residence registration",
        "baby",
        CENTRE,
        "16",
        False,
        False,
        True,
        False,
    ),
    (
        "electronic_payment",
        HELP,
        "Thanh toán điện tử",
        "Electronic payment",
        "payment",
        CENTRE,
        "16",
        False,
        False,
        True,
        False,
    ),
    (
        "scam_message",
        HELP,
        "Tin nhắn, cuộc gọi nghi lừa đảo",
        "Suspected scam message",
        "warning",
        POLICE,
        "4",
        False,
        False,
        True,
        False,
    ),
    (
        "help_other",
        HELP,
        "Hỏi đáp khác",
        "Other question",
        "question",
        CULT,
        "24",
        False,
        False,
        True,
        False,
    ),
    # What a report by SMS is filed under: the text says what is wrong, the
    # commune says where; the department re-files it under a precise service.
    (
        "report_other",
        FIELD,
        "Phản ánh khác",
        "Other problem",
        "speech-alert",  # not the megaphone: that is public order's
        ECON,
        "24",
        True,
        False,
        True,
        False,
    ),
)


def services_seed(service_model: Any) -> int:
    """Create the catalogue's services that are missing; return how many were made."""
    made = 0
    for order, row in enumerate(SERVICES):
        code, kind, name, name_en, icon, dept, sla, loc, photo, desc, after = row
        _, created = service_model.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "name_en": name_en,
                "icon": icon,
                "department_type": dept,
                "sla_hours": Decimal(sla),
                "location_required": loc,
                "photo_required": photo,
                "description_required": desc,
                "after_photo_required": after,
                "sort_order": order * 10,
            },
        )
        made += int(created)
    return made
