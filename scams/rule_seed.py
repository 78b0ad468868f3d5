"""The default scam rules, written by the data migration (officers edit them in the admin).

Keywords and patterns are written lowercase without marks, as the text is
compared (scams/extraction.py ``text_fold``). Weights: 5 and more is one strong
sign on its own ("likely a scam"), 2–4 a sign that needs company.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class SeedRule(NamedTuple):
    code: str
    kind: str
    name: str
    keywords: list[str]
    regex: str
    exclude: list[str]
    requires_link: bool
    weight: int
    reason_vi: str
    reason_en: str


# A real bank or network notice warns: "tuyệt đối KHÔNG cung cấp mã OTP".
_OTP_WARNINGS = [
    "khong cung cap",
    "khong chia se",
    "khong tiet lo",
    "tuyet doi khong",
    "khong duoc cung cap",
    "khong bao gio yeu cau",
    "khong dua ma",
    "khong doc ma",
]

RULES: tuple[SeedRule, ...] = (
    SeedRule(
        "prize",
        "prize",
        "Prize or lucky draw",
        [
            "trung thuong",
            "trung giai",
            "da trung",
            "nhan qua tri an",
            "khach hang may man",
            "duoc chon nhan",
            "giai dac biet",
            "phan thuong",
            "qua tang tri an",
            "you have won",
            "you won",
        ],
        "",
        [],
        False,
        3,
        "Tin nhắn báo bạn trúng thưởng hoặc được tặng quà mà bạn không tham gia.",
        "The message says you won a prize or a gift you never entered for.",
    ),
    SeedRule(
        "fee_before_payout",
        "fee",
        "Fee before payout",
        [
            "phi nhan thuong",
            "phi nhan qua",
            "phi lam thu tuc",
            "phi ho so",
            "phi kich hoat",
            "phi giai ngan",
            "phi bao hiem khoan vay",
            "chuyen khoan truoc",
            "nop phi truoc",
            "dong phi truoc",
            "thue thu nhap ca nhan truoc",
            "phi van chuyen qua",
        ],
        r"(nop|dong|chuyen|thanh toan)\s(truoc\s)?(mot khoan\s)?(phi|le phi|tien coc)"
        r".{0,60}(de|moi|truoc khi|thi)\s(duoc\s)?(nhan|giai ngan|rut)",
        [],
        False,
        5,
        "Bạn bị yêu cầu nộp phí hoặc chuyển tiền trước để được nhận tiền, quà hay khoản vay.",
        "You are asked to pay a fee first to receive money, a prize or a loan.",
    ),
    SeedRule(
        "otp_request",
        "otp",
        "OTP or password request",
        [
            "cung cap ma otp",
            "doc ma otp",
            "gui ma otp",
            "gui lai ma otp",
            "doc ma xac thuc",
            "cung cap ma xac thuc",
            "ma otp vua gui",
            "ma otp vua nhan",
            "nhap ma otp vao",
            "cung cap mat khau",
            "doc so the",
            "send the otp",
            "share the otp",
        ],
        r"(cung cap|doc|gui|nhan tin|cho)( lai)?( giup)?( em| minh| toi)? "
        r"ma (otp|xac thuc|xac nhan)",
        _OTP_WARNINGS,
        False,
        6,
        "Tin nhắn xin mã OTP, mật khẩu hoặc số thẻ: ngân hàng và cơ quan nhà nước "
        "không bao giờ hỏi.",
        "The message asks for an OTP code, a password or a card number: banks and "
        "authorities never ask.",
    ),
    SeedRule(
        "fake_agency",
        "fake_agency",
        "Fake police, prosecutor or court",
        [
            "lenh bat",
            "tai khoan tam giu",
            "phong toa tai khoan",
            "tai khoan an toan",
            "ho so vu an",
            "lien quan den vu an",
            "lien quan vu an",
            "rua tien",
            "tai khoan cua co quan dieu tra",
        ],
        r"(cong an|vien kiem sat|toa an|co quan dieu tra|canh sat).{0,80}"
        r"(vu an|dieu tra|chuyen tien|tam giu|xac minh tai khoan|yeu cau .{0,20}chuyen)",
        [],
        False,
        6,
        "Kẻ gian giả danh công an, viện kiểm sát, tòa án: các cơ quan này không làm việc hay "
        "đòi tiền qua điện thoại, tin nhắn.",
        "Someone poses as police, a prosecutor or a court: they never handle cases or ask "
        "for money by phone or message.",
    ),
    SeedRule(
        "identity_update_link",
        "identity",
        "VNeID / level-2 identity update through a link",
        [],
        r"(cap nhat|kich hoat|dong bo|xac thuc|tich hop|chuan hoa|nang cap).{0,50}"
        r"(vneid|dinh danh|can cuoc|cccd|thong tin dan cu|bao hiem xa hoi)",
        [],
        True,
        5,
        "Cập nhật VNeID, định danh mức 2 hay căn cước chỉ làm trên ứng dụng VNeID chính thức "
        "hoặc tại công an xã, không qua đường link.",
        "VNeID, level-2 identity and ID card updates happen only in the official VNeID app "
        "or at the commune police, never through a link.",
    ),
    SeedRule(
        "loan",
        "loan",
        "Easy loans",
        [
            "vay tien nhanh",
            "vay online",
            "vay nhanh",
            "giai ngan trong ngay",
            "khong can the chap",
            "khong can tham dinh",
            "no xau van vay",
            "ho tro vay von",
            "duyet vay",
            "vay tieu dung",
            "giai ngan ngay",
        ],
        "",
        [],
        False,
        3,
        "Lời mời vay dễ dàng, không cần thế chấp: thường dẫn đến đòi phí hoặc vay nặng lãi.",
        "An easy loan offer with no collateral: it usually leads to fees or loan sharks.",
    ),
    SeedRule(
        "urgent_money",
        "urgent_money",
        "Relative in an emergency needs money",
        [
            "dang cap cuu",
            "can tien gap",
            "chuyen tien gap",
            "chuyen gap",
            "chuyen khoan gap",
            "gap tai nan",
            "dang nam vien",
            "vay gap",
            "muon gap",
        ],
        r"(con|chau|em|chong|vo|bo|me).{0,40}(cap cuu|tai nan|bi bat|cong an giu).{0,80}"
        r"(chuyen|gui|nap).{0,20}(tien|khoan)",
        [],
        False,
        5,
        "Tin nhắn báo người thân gặp nạn và giục chuyển tiền gấp: hãy tự gọi lại cho người "
        "thân trước.",
        "A message says a relative is in trouble and urges a quick transfer: call the "
        "relative yourself first.",
    ),
    SeedRule(
        "account_locked",
        "account_locked",
        "Account or card locked",
        [
            "tai khoan bi khoa",
            "tai khoan se bi khoa",
            "tai khoan tam khoa",
            "the bi khoa",
            "tai khoan bi dong bang",
            "tam ngung dich vu ngan hang",
            "tai khoan da bi han che",
            "sim se bi khoa",
            "thue bao se bi khoa",
            "bi khoa 2 chieu",
            "your account is locked",
        ],
        r"(tai khoan|the atm|the|sim|thue bao)( cua (ban|quy khach))? (se |da )?bi "
        r"(khoa|tam khoa|dong bang|han che)",
        [],
        False,
        3,
        "Tin nhắn dọa khóa tài khoản, thẻ hay thuê bao để bạn vội làm theo.",
        "The message threatens to lock your account, card or SIM so that you act in a hurry.",
    ),
    SeedRule(
        "bill_cut",
        "bill",
        "Unpaid bill, service cut",
        [],
        r"(cat dien|ngung cap dien|ngung cung cap dien|cat nuoc|ngung cap nuoc|cat mang).{0,100}"
        r"(thanh toan|chuyen khoan|nop tien|truy cap|bam vao|nhan vao|lien he so|goi ngay)",
        [],
        False,
        5,
        "Tin nhắn dọa cắt điện, nước và đòi trả tiền ngay: điện lực không đòi tiền qua số lạ.",
        "The message threatens to cut power or water and demands payment now: utilities "
        "do not collect through unknown numbers.",
    ),
    SeedRule(
        "parcel_fee",
        "parcel",
        "Parcel held, fee or address update",
        [
            "phi luu kho",
            "phi thong quan",
            "phi hai quan",
            "phi giao lai",
            "buu pham bi giu",
            "kien hang bi giu",
            "don hang bi giu",
            "hang cam",
        ],
        r"(don hang|buu pham|buu kien|kien hang|goi hang).{0,100}"
        r"(cap nhat dia chi|xac nhan dia chi|bi giu|phi van chuyen bo sung)",
        [],
        False,
        5,
        "Tin nhắn về bưu phẩm đòi phí lạ hoặc cập nhật địa chỉ qua đường link.",
        "A parcel message asks for an unusual fee or an address update through a link.",
    ),
    SeedRule(
        "easy_job",
        "job",
        "Easy job with commission",
        [
            "viec nhe luong cao",
            "lam nhiem vu",
            "cong tac vien online",
            "tuyen ctv",
            "kiem tien online",
            "like video",
            "tha tim",
            "don hang ao",
            "thu nhap hap dan tai nha",
        ],
        # "hoa hồng" is also a rose: only a commission with an amount counts.
        r"hoa hong( len den| tu)? \d",
        [],
        False,
        5,
        "Việc nhẹ lương cao, làm nhiệm vụ nhận hoa hồng: kiểu lừa để bạn nạp tiền.",
        'An easy job paid by commission or "tasks": a trick to make you deposit money.',
    ),
    SeedRule(
        "app_install",
        "app_install",
        "Install an app from a link",
        [
            "tai ung dung theo link",
            "cai dat ung dung",
            "tai app",
            "tai file",
            ".apk",
            "cai ung dung",
        ],
        "",
        [],
        True,
        4,
        "Bạn bị bảo cài ứng dụng từ đường link: ứng dụng lạ có thể chiếm điện thoại và tài khoản.",
        "You are told to install an app from a link: it can take over your phone and accounts.",
    ),
    SeedRule(
        "money_transfer",
        "other",
        "Asks for a transfer",
        [
            "chuyen khoan vao so tai khoan",
            "chuyen tien vao tai khoan",
            "chuyen vao so tai khoan",
            "nap tien vao",
            "chuyen tien vao so",
        ],
        "",
        [],
        False,
        2,
        "Tin nhắn yêu cầu chuyển tiền vào một tài khoản.",
        "The message asks you to transfer money to an account.",
    ),
    SeedRule(
        "pressure",
        "other",
        "Pressure and secrecy",
        [
            "khong duoc noi voi ai",
            "giu bi mat",
            "trong vong 24h",
            "trong vong 24 gio",
            "trong ngay hom nay",
            "khan cap",
            "het han trong",
            "ngay lap tuc",
        ],
        "",
        [],
        False,
        1,
        "Tin nhắn giục làm ngay hoặc bảo giữ bí mật.",
        "The message pushes you to act at once or to keep it secret.",
    ),
)


def rules_seed(model: Any) -> int:
    """Create the default rules that are missing; officers' edits are kept."""
    created = 0
    for rule in RULES:
        _, was_created = model.objects.get_or_create(
            code=rule.code,
            defaults={
                "kind": rule.kind,
                "name": rule.name,
                "keywords": rule.keywords,
                "regex": rule.regex,
                "exclude_keywords": rule.exclude,
                "requires_link": rule.requires_link,
                "weight": rule.weight,
                "reason_vi": rule.reason_vi,
                "reason_en": rule.reason_en,
            },
        )
        created += was_created
    return created
