"""Words for the synthetic case history (helpdesk/synthetic.py): residents'
names, what they write and where, so that the queue's search meets text of
about the size and mix of real cases (bench/queue_scale.py).

No real Vietnamese case text is at hand, so everything here is an assumption,
said next to its figure. The family names follow the shares usually cited for
Vietnam (Nguyễn about 38 %, Trần 11 %, Lê 9.5 %, …); given names are common
ones. Descriptions are one or two short sentences from a few templates per
service, 30–120 characters: real ones vary more, so a searched word here is
found in more cases than it would be (the search's worst side).
"""

from __future__ import annotations

import random

FAMILY = {
    "Nguyễn": 38.4, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.1, "Hoàng": 5.1, "Phan": 4.5,
    "Vũ": 3.9, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3, "Ngô": 1.3, "Dương": 1.0,
    "Lý": 0.5, "Đinh": 0.5, "Trịnh": 0.4, "Lương": 0.4, "Mai": 0.4, "Hà": 0.4, "Tạ": 0.3,
}  # fmt: skip
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Quốc", "Hữu", "Ngọc", "Thanh", "Xuân", "Kim")
GIVEN = (
    "An", "Anh", "Bình", "Chi", "Cường", "Dũng", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hiền",
    "Hòa", "Hoa", "Hùng", "Hương", "Huy", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh",
    "Nam", "Nga", "Ngọc", "Nhung", "Phúc", "Phương", "Quân", "Quang", "Sơn", "Tâm", "Thắng",
    "Thảo", "Thủy", "Trang", "Trung", "Tú", "Tuấn", "Việt", "Yến",
)  # fmt: skip
PLACES = (
    "trước cổng trường", "gần chợ", "đầu ngõ {n}", "cạnh nhà văn hóa", "đường liên xóm",
    "sau ủy ban xã", "gần cầu", "trên quốc lộ 3", "cạnh trạm y tế", "ngã ba {n}",
)  # fmt: skip
# What residents write, per service (the catalogue's codes, helpdesk/catalogue_seed.py).
SAYS = {
    "road_damage": (
        "Ổ gà lớn {place}, xe máy dễ ngã",
        "Mặt đường bị sụt lún {place}",
        "Đường nứt và lồi lõm {place}, trời mưa đọng nước",
    ),
    "streetlight_out": (
        "Đèn đường tắt {place} đã {n} ngày",
        "Cột đèn {place} bị hỏng, tối om",
        "Đèn chiếu sáng nhấp nháy {place}",
    ),
    "trash_uncollected": (
        "Rác không được thu gom {place}",
        "Rác thải chất đống {place}, bốc mùi",
        "Xe rác {n} ngày chưa đến {place}",
    ),
    "illegal_dumping": ("Có người đổ trộm phế thải {place}", "Đổ rác xây dựng {place} ban đêm"),
    "flooding_drainage": ("Ngập nước {place} sau mưa", "Cống thoát nước bị tắc {place}"),
    "fallen_tree": ("Cây đổ chắn đường {place}", "Cành cây gãy {place}, nguy hiểm"),
    "water_supply": ("Mất nước sinh hoạt {n} ngày", "Ống nước vỡ {place}, nước chảy lênh láng"),
    "public_order": ("Tụ tập gây ồn ào {place} buổi tối", "Lấn chiếm vỉa hè {place}"),
    "report_other": ("Biển báo bị đổ {place}", "Nắp cống bị mất {place}"),
    "vneid_account": (
        "Không đăng nhập được VNeID",
        "Xin hướng dẫn kích hoạt tài khoản định danh mức {n}",
        "Quên mật khẩu VNeID, số điện thoại cũ không dùng nữa",
    ),
    "online_public_service": (
        "Hỏi cách nộp hồ sơ trực tuyến",
        "Nộp hồ sơ trên cổng dịch vụ công bị lỗi",
    ),
    "birth_residence_registration": (
        "Hỏi thủ tục khai sinh cho con",
        "Đăng ký thường trú cần giấy tờ gì",
    ),
    "electronic_payment": (
        "Thanh toán phí dịch vụ công bị trừ tiền hai lần",
        "Hỏi cách nộp thuế đất qua điện thoại",
    ),
    "scam_message": (
        "Nhận tin nhắn lạ đòi chuyển tiền",
        "Có người gọi tự xưng công an yêu cầu cài ứng dụng",
    ),
    "help_other": ("Xin hỏi lịch tiếp dân của xã", "Cần hỗ trợ điền tờ khai"),
}
# Assumption: 3 % of descriptions give a phone number to call back.
PHONE_SHARE = 0.03
# Assumption: 60 % of reports name a hamlet or residential group.
VILLAGE_SHARE = 0.6
VILLAGE_WORDS = ("Xóm", "Thôn", "Tổ dân phố")


def name_make(rng: random.Random) -> str:
    family = rng.choices(list(FAMILY), weights=list(FAMILY.values()))[0]
    return f"{family} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def description_make(rng: random.Random, service_code: str) -> str:
    says = SAYS.get(service_code, SAYS["report_other"])
    place = rng.choice(PLACES).format(n=rng.randint(1, 30))
    text = rng.choice(says).format(place=place, n=rng.randint(2, 9))
    if rng.random() < PHONE_SHARE:
        digits = f"09{rng.randint(0, 99_999_999):08d}"
        text += f". Gọi {digits[:4]} {digits[4:7]} {digits[7:]}"
    return text


def village_make(rng: random.Random) -> str:
    if rng.random() >= VILLAGE_SHARE:
        return ""
    return f"{rng.choice(VILLAGE_WORDS)} {rng.randint(1, 25)}"
