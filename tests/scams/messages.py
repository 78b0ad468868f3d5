"""Real-shaped Vietnamese messages and the verdict the scam check must give.

Scams as they go round (prize, fee, OTP, fake police, VNeID, family
emergency, electricity bill, parcel fee, loans, jobs) and genuine messages
that share their words (a real bank OTP notice, Viettel promotions, commune
meeting notices, a real power cut, a COD parcel). Written with and without
marks, in mixed case, the way they arrive. Numbers are made up.
"""

from __future__ import annotations

LIKELY = "likely_scam"
NOT_SURE = "not_sure"
OK = "no_known_problem"

MESSAGES: tuple[tuple[str, str, str], ...] = (
    # --- scams -------------------------------------------------------------------
    (
        "prize_fee",
        "Chúc mừng quý khách đã trúng thưởng xe SH Mode trong chương trình tri ân. Vui lòng "
        "chuyển khoản phí nhận thưởng 2.500.000đ vào STK 0123456789 để nhận quà.",
        LIKELY,
    ),
    (
        "prize_fee_no_marks",
        "CHUC MUNG QUY KHACH DA TRUNG THUONG 1 IPHONE 15. NOP PHI TRUOC 500K DE DUOC NHAN "
        "QUA, LH 0987654321",
        LIKELY,
    ),
    (
        "otp_request",
        "Em la nhan vien ngan hang, chi vua nhan duoc ma OTP, chi doc ma OTP giup em de em "
        "huy giao dich nhe",
        LIKELY,
    ),
    (
        "otp_request_marks",
        "Anh ơi em chuyển nhầm tiền vào tài khoản anh, anh cung cấp mã OTP vừa gửi để em "
        "hoàn lại nhé",
        LIKELY,
    ),
    (
        "fake_police",
        "Công an TP Hà Nội thông báo: ông/bà liên quan đến vụ án rửa tiền, yêu cầu chuyển "
        "toàn bộ tiền vào tài khoản tạm giữ để xác minh.",
        LIKELY,
    ),
    (
        "fake_police_no_marks",
        "Vien kiem sat nhan dan thong bao ban co lenh bat, lien he ngay 0812345678 de phoi "
        "hop dieu tra",
        LIKELY,
    ),
    (
        "vneid_link",
        "[Bo Cong An] Tai khoan dinh danh dien tu cua ban chua duoc cap nhat muc 2. Vui long "
        "cap nhat VNeID tai http://vneid-gov.com/capnhat truoc 24h",
        LIKELY,
    ),
    (
        "vneid_link_marks",
        "Thông báo: Cập nhật định danh mức 2 để tích hợp căn cước, truy cập dichvucong-gov.vn "
        "để hoàn tất.",
        LIKELY,
    ),
    (
        "child_emergency",
        "Me oi con dang cap cuu o benh vien, me chuyen tien gap 10 trieu vao so nay cho con "
        "nhe 0356789123",
        LIKELY,
    ),
    (
        "child_emergency_marks",
        "Chị ơi con chị bị tai nạn đang cấp cứu, cần chuyển khoản gấp 15 triệu để mổ, "
        "em là bác sĩ trực.",
        LIKELY,
    ),
    (
        "electricity_cut",
        "EVN thông báo: Quý khách nợ tiền điện, sẽ bị cắt điện trong hôm nay. Vui lòng thanh "
        "toán ngay qua evn-thanhtoan.xyz",
        LIKELY,
    ),
    (
        "electricity_cut_phone",
        "DIEN LUC: nha ban se bi ngung cap dien do chua thanh toan hoa don thang 11, "
        "lien he so 0901234567 de nop tien",
        LIKELY,
    ),
    (
        "parcel_fee",
        "VNPost: Buu pham cua ban bi giu tai kho do sai dia chi. Cap nhat dia chi va thanh "
        "toan phi luu kho tai bit.ly/vnp-cap-nhat",
        LIKELY,
    ),
    (
        "parcel_customs",
        "Kiện hàng quốc tế của bạn đang bị giữ tại hải quan, vui lòng nộp phí thông quan "
        "1.200.000đ để được giao.",
        LIKELY,
    ),
    (
        "lookalike_bank",
        "Vietcombank: tai khoan cua quy khach se bi khoa do chua xac thuc sinh trac hoc. "
        "Xac thuc tai vietc0mbank-vn.com",
        LIKELY,
    ),
    (
        "lookalike_bank_mixed",
        "ThOnG bAo Tu AgriBank: Quy khach duoc hoan tien 2.000.000d, dang nhap "
        "agribank-hoantien.top de nhan",
        LIKELY,
    ),
    (
        "loan_fee",
        "Ho tro vay von 50 trieu, giai ngan trong ngay, khong can the chap. Chi can nop phi "
        "ho so 1 trieu truoc khi giai ngan.",
        LIKELY,
    ),
    (
        "job_commission",
        "Tuyển CTV làm nhiệm vụ like video TikTok, việc nhẹ lương cao, hoa hồng 300k/ngày, "
        "nhắn Zalo để nhận việc.",
        LIKELY,
    ),
    (
        "sim_locked_otp",
        "Viettel thong bao: thue bao cua ban se bi khoa 2 chieu. De giu so, vui long cung cap "
        "ma xac thuc vua nhan cho tong dai vien",
        LIKELY,
    ),
    (
        "app_install",
        "Cong an xa yeu cau ba con tai app Dich Vu Cong tai link http://dvc-congan.cc/app.apk "
        "de ke khai thue",
        LIKELY,
    ),
    (
        "insurance_refund",
        "BHXH thong bao: ban duoc hoan tien bao hiem, dong bo thong tin bao hiem xa hoi tai "
        "baohiemxahoi-vn.online",
        LIKELY,
    ),
    (
        "shortened_gift",
        "Ban da duoc chon nhan qua tri an tu nha mang, nhan ngay tai tinyurl.com/qua-tang-2026",
        LIKELY,
    ),
    # --- not sure: one weak sign ------------------------------------------------------
    (
        "short_link_only",
        "Xem ảnh họp lớp năm nay ở đây nhé: bit.ly/3xYzAbc",
        NOT_SURE,
    ),
    (
        "prize_no_fee",
        "Chuc mung ban da trung thuong chuong trinh boc tham cua cua hang, den cua hang de nhan.",
        NOT_SURE,
    ),
    (
        "loan_offer",
        "Vay tiền nhanh online, duyệt trong 5 phút, gọi 0934567890.",
        NOT_SURE,
    ),
    (
        "account_locked_no_link",
        "Tai khoan cua ban se bi khoa neu khong xac nhan thong tin.",
        NOT_SURE,
    ),
    (
        "cheap_domain",
        "Mua phan bon gia re, xem tai phanbongiare.shop",
        NOT_SURE,
    ),
    # --- genuine ------------------------------------------------------------------------
    (
        "bank_otp_notice",
        "Vietcombank: Ma OTP cua Quy khach la 482913. Tuyet doi KHONG cung cap ma OTP cho bat "
        "ky ai, ke ca nhan vien ngan hang.",
        OK,
    ),
    (
        "bank_otp_notice_marks",
        "BIDV: Mã xác thực giao dịch của Quý khách là 773210, hiệu lực 3 phút. BIDV không bao "
        "giờ yêu cầu cung cấp mã OTP.",
        OK,
    ),
    (
        "bank_balance",
        "TK 1234xxx789 tai Agribank: +1.500.000VND luc 08:15 04/12. SD: 3.250.000VND. ND: "
        "luong thang 11",
        OK,
    ),
    (
        "viettel_promo",
        "Viettel tang 50% gia tri the nap ngay 05/12 cho thue bao tra truoc. Chi tiet LH 198 "
        "(mien phi) hoac viettel.vn",
        OK,
    ),
    (
        "viettel_data",
        "Dang ky goi ST90 chi 90.000d/30 ngay co 1GB/ngay, soan ST90 gui 191. Tran trong!",
        OK,
    ),
    (
        "commune_meeting",
        "UBND xã Đại Từ thông báo: 8h sáng Chủ nhật 07/12 họp dân thôn Đồng Khuôn tại nhà văn "
        "hóa về việc làm đường. Đề nghị mỗi hộ cử 1 người dự.",
        OK,
    ),
    (
        "commune_vneid_at_office",
        "Công an xã thông báo: bà con mang căn cước đến trụ sở công an xã để được hướng dẫn "
        "kích hoạt tài khoản định danh điện tử mức 2, thứ Bảy 13/12.",
        OK,
    ),
    (
        "real_power_cut",
        "EVNNPC thông báo tạm ngừng cung cấp điện từ 7h30 đến 11h30 ngày 10/12 để bảo dưỡng "
        "đường dây khu vực thôn 3. Mong khách hàng thông cảm.",
        OK,
    ),
    (
        "cod_parcel",
        "GHTK: Don hang cua ban se duoc giao hom nay, vui long chuan bi 250.000d tien thu ho "
        "(COD). Shipper: 0977123456",
        OK,
    ),
    (
        "dichvucong_real",
        "Ho so cua ban tren Cong Dich vu cong quoc gia da duoc xu ly, tra cuu tai "
        "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html",
        OK,
    ),
    (
        "family_chat",
        "Con ơi tối nay về ăn cơm nhé, mẹ nấu canh cua. Nhớ mua hộ mẹ bó rau muống.",
        OK,
    ),
    (
        "school_fee_notice",
        "Truong THCS Dai Tu thong bao hop phu huynh luc 14h ngay 06/12 tai phong hoc lop 8A.",
        OK,
    ),
    (
        "vaccination",
        "TRAM Y TE XA THONG BAO: tiem vac xin soi cho tre tu 9 thang den 5 tuoi vao sang thu "
        "Tu 10/12 tai tram y te.",
        OK,
    ),
    (
        "bank_app_real",
        "Techcombank: Giao dich the ****1234 so tien 350.000 VND tai WINMART luc 19:02 "
        "03/12. Neu khong phai QK, goi 1800588822.",
        OK,
    ),
    (
        "relative_call_back",
        "Bố ơi con đã đến nơi an toàn rồi, tối con gọi lại cho bố nhé.",
        OK,
    ),
)
