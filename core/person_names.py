"""Words core/masking.py reads to tell a person's full name from a place's.

Vietnamese names are written family name first ("Đinh Thị Xuân"), and about
nine people in ten carry one of a few dozen family names, so a capitalised
family name followed by two more capitalised syllables is read as a person.
Streets, wards and schools are named after people too ("đường Trần Hưng
Đạo", "Phường Phan Đình Phùng"): the words and names below keep them
readable. All in lower case (NFC), as the masking compares them.
"""

from __future__ import annotations

import unicodedata


def _words(text: str) -> frozenset[str]:
    """The words of ``text``, one set: long lists read best as prose."""
    return frozenset(text.split())


def _unaccented(phrase: str) -> str:
    """``phrase`` as typed without accents: "thị trấn" → "thi tran"."""
    bare = unicodedata.normalize("NFD", phrase.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in bare if not unicodedata.combining(char))


def _lines(text: str) -> frozenset[str]:
    """The lines of ``text``, stripped: phrases of several words, one a line."""
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


# The common family names: the great majority of Kinh people, and those of
# the peoples of the northern mountain provinces (Tày, Nùng, Dao, Thái,
# Mường, Hmông in Thái Nguyên and its neighbours), and the Khmer Thạch.
# Not those that are mostly everyday words at the head of a sentence ("Từ",
# "Vàng", "Mùa", "Sơn", "Đồng", "Phó", "Quan", "Ông"): "Từ Sáng Nay Nước…" in
# a headline is no person.
SURNAMES: frozenset[str] = _words(
    """
    nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý lí
    đinh đoàn lâm mai trịnh trương cao lưu hà tạ tô chu quách lương vương kiều
    triệu đàm phùng nông lò hứa ma lục la mông bế lường quàng sầm cầm tòng vi
    lự lăng thái tôn tống mạc khổng giang kim châu ninh diệp khúc lã lại tăng
    thân nghiêm doãn hầu cù hàn bạch đào kha tiêu mẫn phí viên thạch bàn chảo
    giàng thào sùng vừ lù
    """
)

# Words no personal name is made of: they end a run of capitalised words
# ("HÀ NỘI MẤT ĐIỆN", "Nguyễn Văn An Và Vợ"). Words that are also given
# names ("Năm", "Hai", "Sáng", "Công", "An", "Toàn", "Ánh", "Nghị",
# "Thông", "Mai", "Lý") are left out on purpose. The family names that are
# never a middle or given name end one too, and begin the next: "Nguyễn Văn
# An Phạm Thị Bình" are two people, "VI PHẠM TRẬT TỰ" is no one.
STOP_WORDS: frozenset[str] = _words(
    """
    nguyễn trần phạm đặng bùi đỗ ngô đinh đoàn trịnh trương lưu tạ phùng quách
    hứa lò bế lường quàng sầm mạc khổng nghiêm doãn hầu lã lại
    """
) | _words(
    """
    và với của cho ở tại từ đến tới về ra vào lên xuống qua trên dưới trong
    ngoài sau trước giữa cạnh gần bên đã đang sẽ vẫn còn cũng đều không chưa
    chẳng có là bị được phải cần nên muốn thì mà nhưng hoặc hay nếu vì bởi
    do để theo như nhờ khi lúc ngày tháng giờ hôm nay tối chiều đêm trưa tuần
    các những mọi mỗi một này đó kia ấy đây gì nào ai sao rất quá lắm nhiều
    ít hết xong rồi nữa thêm luôn ngay vừa mới cùng tôi chúng họ mình nó
    xin cảm ơn lòng đề báo gửi nhận kiểm tra khắc phục sửa chữa hỏng sập
    ngập gãy đổ vỡ tắc nứt sạt lở cháy nổ mất điện nước rác thải bẩn ô nhiễm
    mùi hôi khói bụi ồn chó mèo trâu bò lợn gà cây đèn cột dây cống rãnh hố
    ổ mặt đất đá cát xe tai nạn người dân hộ nhà cửa trời mưa bão lũ lụt
    nắng nóng lạnh tốc sơ trật chị cô chú bác ông bà cụ cháu mẹ bố vợ chồng con
    """
)
# The same for text typed without accents, where "trong", "cho", "do" or
# "nhung" may be part of a name ("Trọng", "Đỗ", "Nhung"): only English words
# and the few Vietnamese ones no name is spelt with.
STOP_WORDS_ASCII: frozenset[str] = _words(
    """
    and or not of is are was were in for with from by please this that will
    khong duoc cua nhieu
    """
)

# Words for a place or an organisation: a capitalised run after one is the
# place's name ("đường Trần Hưng Đạo", "Trường THCS Lê Quý Đôn", "Ngân
# Hàng Nông Nghiệp"). Phrases of up to three words. Written in any case.
# The administrative units' words (a unit's name follows), in both lists below.
_UNIT_WORDS_VI = """
    xã
    phường
    thị trấn
    thị xã
    thành phố
    tp
    quận
    huyện
    tỉnh
    đặc khu
"""
PLACE_WORDS: frozenset[str] = _lines(_UNIT_WORDS_VI) | _lines(
    """
    đường
    phố
    thôn
    xóm
    bản
    tổ
    tổ dân phố
    khu
    khu phố
    khối
    ấp
    ngõ
    ngách
    hẻm
    chợ
    thcs
    thpt
    tiểu học
    mầm non
    bệnh viện
    trạm y tế
    trạm
    công viên
    đền
    chùa
    miếu
    nhà văn hoá
    nhà văn hóa
    quảng trường
    ngã ba
    ngã tư
    ngã năm
    phố đi bộ
    khu đô thị
    kđt
    làng
    sông
    suối
    núi
    đồi
    đèo
    biển
    đảo
    hang
    thác
    rừng
    vịnh
    bến
    bến xe
    ga
    cảng
    sân
    đập
    kênh
    ubnd
    hđnd
    uỷ ban
    ủy ban
    ngân hàng
    công ty
    trung tâm
    đại học
    cao đẳng
    học viện
    bảo tàng
    thư viện
    nhà thờ
    nhà máy
    xí nghiệp
    hợp tác xã
    htx
    siêu thị
    khách sạn
    nghĩa trang
    sở
    phòng
    cục
    viện
    đội
    street
    road
    avenue
    ward
    commune
    district
    province
    school
    hospital
    market
    bridge
    park
    """
)
# Place words that are also given names ("Nguyễn Xuân Trường", "Võ Văn
# Kiệt", "Nguyễn Văn Hội"): a place at the head of a run ("Trường Tiểu
# Học…", "Hội Nông Dân"), but no end to a name already begun. Not "đình"
# (the communal house): "Phan Đình Phùng", "gia đình".
PLACE_WORDS_IN_NAMES: frozenset[str] = frozenset({"trường", "kiệt", "hội", "cầu"})
# Place words that are family names too: a place only in lower case, before
# a run ("hồ Núi Cốc", "lăng Chủ Tịch"); "Hồ Văn An" is a person.
PLACE_WORDS_LOWER_ONLY: frozenset[str] = frozenset({"hồ", "lăng"})
# A place word is no place in these phrases ("yêu cầu Trần Văn Nam khắc
# phục" asks a person, "văn bản"), nor after the title of a person who
# holds office there: "trưởng thôn Nguyễn Văn An", "cán bộ xã Trần Văn
# Bình", "Chủ tịch phường Lê Thị Hoa". Two or three words, the place word
# last.
NOT_PLACES: frozenset[str] = _lines(
    """
    yêu cầu
    nhu cầu
    toàn cầu
    văn bản
    cơ bản
    phiên bản
    kịch bản
    đề phòng
    dự phòng
    hiện trường
    thị trường
    môi trường
    nhà trường
    xã hội
    bộ đội
    trưởng thôn
    trưởng xóm
    trưởng bản
    trưởng khu
    trưởng khối
    trưởng phố
    trưởng ấp
    trưởng phòng
    trưởng trạm
    tịch xã
    tịch phường
    tịch huyện
    tịch tỉnh
    tịch thị trấn
    tịch thành phố
    thư xã
    thư phường
    thư thôn
    thư chi bộ
    bộ xã
    bộ phường
    bộ thôn
    an xã
    an phường
    an huyện
    """
)
# The same typed without accents, before a run only ("duong Tran Hung
# Dao"): in one, "Phuong", "Huyen", "Quan", "Duong" or "Ngo" is a name. Only
# those no everyday word spells ("cho" is "for" as often as "chợ", "ban"
# is "bạn", "to" is "tô").
PLACE_WORDS_ASCII: frozenset[str] = frozenset(
    {
        "duong",
        "phuong",
        "thi tran",
        "thi xa",
        "thanh pho",
        "tp",
        "quan",
        "huyen",
        "tinh",
        "thon",
        "xom",
        "khu",
        "khu pho",
        "ngo",
        "ngach",
        "hem",
        "thcs",
        "thpt",
        "tieu hoc",
        "mam non",
        "benh vien",
        "tram y te",
        "cong vien",
        "nha van hoa",
        "quang truong",
        "nga ba",
        "nga tu",
        "pho di bo",
        "khu do thi",
        "ubnd",
    }
)
# Abbreviations written with a dot before a name: "TP. Hồ Chí Minh", "P.
# Phan Đình Phùng", "TX. Phổ Yên".
PLACE_ABBREVIATIONS: frozenset[str] = frozenset({"tp", "p", "q", "tx", "tt", "h"})
# Place words for an administrative unit, whose names the database holds:
# when the caller gave them (PlaceNames.units_known), only a unit's name
# after one is a place ("xã Phú Bình"); "Chủ tịch UBND xã Nguyễn Văn An"
# names the chairman.
UNIT_WORDS: frozenset[str] = (
    _lines(_UNIT_WORDS_VI)
    # The same typed without accents, those PLACE_WORDS_ASCII holds ("xa" is
    # "far"), and abbreviated.
    | (frozenset(map(_unaccented, _lines(_UNIT_WORDS_VI))) & PLACE_WORDS_ASCII)
    | PLACE_ABBREVIATIONS
)
# English place words written after the name: "Tran Hung Dao Street".
PLACE_WORDS_AFTER: frozenset[str] = _words(
    """
    street st road rd avenue ave boulevard blvd lane alley ward commune
    district province city town village hamlet school hospital market bridge
    park lake pagoda temple university college station
    """
)

# Words of address and kinship before a person ("ông", "con trai"), as both of
# core/masking.py's name passes read them: a name right after one is a
# person's even if a street bears it ("ông Lê Hồng Phong").
ADDRESS_WORDS: tuple[str, ...] = (
    "anh",
    "chị",
    "em",
    "cô",
    "chú",
    "bác",
    "ông",
    "bà",
    "cụ",
    "cháu",
    "mẹ",
    "bố",
    "dì",
    "cậu",
    "mợ",
    "thím",
    "bạn",
    "thầy",
    "cha",
    "má",
    "con",
    "vợ",
    "chồng",
)
KINSHIP_PHRASES: tuple[str, ...] = (
    "con trai",
    "con gái",
    "con dâu",
    "con rể",
    "con cả",
    "con út",
    "anh trai",
    "anh rể",
    "anh họ",
    "em trai",
    "em gái",
    "em rể",
    "em dâu",
    "em họ",
    "chị gái",
    "chị dâu",
    "chị họ",
    "cháu trai",
    "cháu gái",
    "cháu nội",
    "cháu ngoại",
    "ông nội",
    "bà nội",
    "ông ngoại",
    "bà ngoại",
    "ông bà",
    "bố mẹ",
    "cha mẹ",
    "bố đẻ",
    "mẹ đẻ",
    "bố chồng",
    "mẹ chồng",
    "bố vợ",
    "mẹ vợ",
    "cô giáo",
    "thầy giáo",
)

# Streets, wards and landmarks named after historical figures, kept as they
# are wherever they stand ("ngập ở Trần Hưng Đạo"). The wards and communes
# of the database are added to them (helpdesk.public_view). In lower case
# or not, with accents or not: compared folded.
FAMOUS_NAMES: tuple[str, ...] = (
    "Hồ Chí Minh",
    "Trần Hưng Đạo",
    "Hoàng Văn Thụ",
    "Lương Ngọc Quyến",
    "Nguyễn Thị Minh Khai",
    "Lý Thường Kiệt",
    "Phan Bội Châu",
    "Phan Chu Trinh",
    "Phan Châu Trinh",
    "Lê Hồng Phong",
    "Võ Nguyên Giáp",
    "Lê Quý Đôn",
    "Tôn Đức Thắng",
    "Nguyễn Văn Cừ",
    "Đinh Tiên Hoàng",
    "Lý Thái Tổ",
    "Hoàng Hoa Thám",
    "Nguyễn Chí Thanh",
    "Nguyễn Tất Thành",
    "Trần Quốc Toản",
    "Lê Thánh Tông",
    "Phan Đình Phùng",
    "Lê Đại Hành",
    "Trần Nhân Tông",
    "Trần Quang Khải",
    "Trần Khánh Dư",
    "Trần Nhật Duật",
    "Trần Bình Trọng",
    "Trần Quốc Tuấn",
    "Trần Đại Nghĩa",
    "Trần Duy Hưng",
    "Trần Thái Tông",
    "Nguyễn Đình Chiểu",
    "Nguyễn Văn Linh",
    "Nguyễn Văn Trỗi",
    "Nguyễn Thị Định",
    "Nguyễn Đức Cảnh",
    "Nguyễn Công Trứ",
    "Nguyễn Bỉnh Khiêm",
    "Nguyễn Thái Học",
    "Nguyễn Lương Bằng",
    "Nguyễn Hữu Cảnh",
    "Nguyễn Hữu Thọ",
    "Nguyễn Khánh Toàn",
    "Nguyễn Thiện Thuật",
    "Lê Văn Lương",
    "Lê Văn Tám",
    "Lê Văn Sỹ",
    "Lê Văn Việt",
    "Lê Trọng Tấn",
    "Lê Thanh Nghị",
    "Lê Quang Đạo",
    "Phạm Văn Đồng",
    "Phạm Ngũ Lão",
    "Phạm Hồng Thái",
    "Võ Văn Kiệt",
    "Võ Văn Tần",
    "Võ Thị Sáu",
    "Hoàng Quốc Việt",
    "Đinh Bộ Lĩnh",
    "Đinh Công Tráng",
    "Lý Tự Trọng",
    "Lý Nam Đế",
    "Lý Công Uẩn",
    "Lý Chính Thắng",
    "Ngô Gia Tự",
    "Ngô Thì Nhậm",
    "Ngô Tất Tố",
    "Hồ Tùng Mậu",
    "Hồ Xuân Hương",
    "Phan Đăng Lưu",
    "Phan Huy Chú",
    "Phan Kế Bính",
    "Phan Văn Trị",
    "Phan Xích Long",
    "Đặng Thai Mai",
    "Đặng Tiến Đông",
    "Đặng Thuỳ Trâm",
    "Bùi Thị Xuân",
    "Huỳnh Thúc Kháng",
    "Huỳnh Tấn Phát",
    "Dương Quảng Hàm",
    "Dương Đình Nghệ",
    "Dương Tự Minh",
    "Cao Bá Quát",
    "Chu Văn An",
    "Mạc Thị Bưởi",
    "Mạc Đĩnh Chi",
    "Tô Hiến Thành",
    "Tô Vĩnh Diện",
    "Tôn Thất Tùng",
    "Tôn Thất Thuyết",
    "Trương Công Định",
    "Trương Hán Siêu",
    "Lương Thế Vinh",
    "Lương Văn Can",
    "Hà Huy Tập",
    "Bế Văn Đàn",
    "Triệu Quang Phục",
    "Triệu Việt Vương",
    "Đoàn Thanh Niên",
    # Streets named after a woman or man by a word of address: kept only
    # when that word is capitalised (core/masking.py's _names_masked).
    "Bà Triệu",
    "Hai Bà Trưng",
    "Bà Huyện Thanh Quan",
    "Ông Ích Khiêm",
    "Bác Hồ",
)

# Provinces named by a family name and one word ("Hà Nội"): two words are
# no full name, but one at the head of a longer run is the province's
# ("Hà Nội Mới", "HÀ NỘI MẤT ĐIỆN"). Not those whose second word is a common
# given name ("Hà Nam", "Thái Bình", "Hà Giang"): "Hà Nam Anh" may be a person.
LEADING_PLACES: tuple[str, ...] = (
    "Hà Nội",
    "Hà Tĩnh",
    "Hà Tây",
    "Cao Bằng",
    "Thái Nguyên",
    "Lâm Đồng",
)
