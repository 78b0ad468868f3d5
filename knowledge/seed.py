"""The help articles every install starts with, and the idempotent seeder.

Written for a resident on a small phone: short steps, plain words, no phone
numbers except the national 5656 spam-report line. Facts are kept general so
they stay true when a form or a menu is renamed. Migration helpdesk 0003_article
seeds them (the articles lived in helpdesk then); an article that already
exists (by slug) is never overwritten, so edits made in the admin survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from inspect import cleandoc

from knowledge.models import Article
from knowledge.search import search_fields

_LINE_START = re.compile(r"^(- |\d+\. |Bước \d|Step \d)")


def _text(source: str) -> str:
    """Unwrap source lines: a paragraph's lines join up unless one starts a step or item.

    Article text is shown with its line breaks kept, and a break in mid-sentence
    looks broken on a narrow screen.
    """
    paragraphs = []
    for paragraph in cleandoc(source).split("\n\n"):
        lines: list[str] = []
        for line in paragraph.splitlines():
            if lines and not _LINE_START.match(line):
                lines[-1] = f"{lines[-1]} {line.strip()}"
            else:
                lines.append(line.strip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


@dataclass(frozen=True)
class SeedArticle:
    slug: str
    topic_code: str
    title_vi: str
    title_en: str
    body_vi: str
    body_en: str


SEED_ARTICLES: tuple[SeedArticle, ...] = (
    SeedArticle(
        slug="kich-hoat-tai-khoan-vneid-muc-2",
        topic_code="vneid_account",
        title_vi="Kích hoạt tài khoản định danh điện tử VNeID mức độ 2",
        title_en="Activating a level-2 VNeID electronic identity account",
        body_vi=_text("""
            Tài khoản VNeID mức độ 2 giúp bạn làm thủ tục hành chính trên mạng và dùng
            thay nhiều giấy tờ. Đăng ký không mất tiền.

            Bước 1. Mang thẻ Căn cước hoặc Căn cước công dân (CCCD) gắn chip và điện thoại có số
            thuê bao đứng tên chính mình đến Công an xã, phường nơi bạn ở.
            Bước 2. Cán bộ công an chụp ảnh, lấy vân tay (nếu cần) và ghi số điện thoại của bạn.
            Bước 3. Khi nhận được tin nhắn có mã kích hoạt, tải ứng dụng VNeID từ
            CH Play hoặc App Store (nhà phát hành là Bộ Công an).
            Bước 4. Mở ứng dụng, chọn "Kích hoạt tài khoản định danh điện tử", nhập số
            định danh cá nhân (số trên thẻ căn cước), số điện thoại và mã kích hoạt.
            Bước 5. Đặt mật khẩu và mã bảo vệ (passcode) rồi ghi nhớ, không cho ai biết.

            Lưu ý: mã kích hoạt có thời hạn, hãy kích hoạt sớm. Công an không bao giờ gọi
            điện hay gửi đường link để "kích hoạt hộ" hay "nâng cấp mức 2".
        """),
        body_en=_text("""
            A level-2 VNeID account lets you do public services online and replaces many
            paper documents. Registering is free.

            Step 1. Take your chip ID card (Căn cước or Căn cước công dân, CCCD) and a phone whose
            number is registered in your own name to the police of your commune or ward.
            Step 2. The officer takes your photo, fingerprints if needed, and your phone number.
            Step 3. When the SMS with the activation code arrives, install the VNeID app
            from Google Play or the App Store (published by the Ministry of Public Security).
            Step 4. Open the app, choose "Activate electronic identity account" and enter your
            personal ID number (the number on your ID card), phone number and activation code.
            Step 5. Set a password and a passcode; remember them and tell nobody.

            Note: the activation code expires, so activate soon. The police never call or
            send links to "activate for you" or "upgrade to level 2".
        """),
    ),
    SeedArticle(
        slug="quen-mat-khau-vneid",
        topic_code="vneid_account",
        title_vi="Quên mật khẩu VNeID thì làm thế nào?",
        title_en="I forgot my VNeID password",
        body_vi=_text("""
            Bước 1. Mở ứng dụng VNeID, ở màn hình đăng nhập chọn "Quên mật khẩu".
            Bước 2. Nhập số định danh cá nhân (số trên thẻ căn cước) và số điện thoại đã
            đăng ký với tài khoản.
            Bước 3. Nhập mã OTP gửi về điện thoại qua tin nhắn, rồi đặt mật khẩu mới.

            Nếu bạn đã đổi số điện thoại, mất SIM, hoặc tài khoản bị khóa do nhập sai nhiều
            lần, hãy mang thẻ căn cước đến Công an xã, phường để được hỗ trợ.

            Không bao giờ đọc mã OTP cho người khác, kể cả người xưng là công an hay cán bộ.
        """),
        body_en=_text("""
            Step 1. Open the VNeID app and choose "Forgot password" on the login screen.
            Step 2. Enter your personal ID number (on your ID card) and the phone number
            registered with the account.
            Step 3. Enter the OTP code sent to your phone by SMS, then set a new password.

            If you changed your phone number, lost your SIM, or the account is locked after
            too many wrong tries, take your ID card to the commune or ward police for help.

            Never read an OTP code to anyone, even someone who says they are police or an official.
        """),
    ),
    SeedArticle(
        slug="nop-ho-so-tren-dich-vu-cong-quoc-gia",
        topic_code="online_public_service",
        title_vi="Nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia",
        title_en="Filing online on the National Public Service Portal",
        body_vi=_text("""
            Trang chính thức: dichvucong.gov.vn (cẩn thận các trang giả có tên gần giống).

            Bước 1. Chọn "Đăng nhập", đăng nhập bằng tài khoản định danh điện tử VNeID
            (nhập số định danh và mật khẩu, hoặc quét mã QR bằng ứng dụng VNeID).
            Bước 2. Gõ tên thủ tục vào ô tìm kiếm, ví dụ "khai sinh", rồi chọn đúng tỉnh và xã.
            Bước 3. Điền thông tin, chụp ảnh rõ nét các giấy tờ và đính kèm.
            Bước 4. Kiểm tra lại rồi bấm "Nộp hồ sơ". Ghi lại mã hồ sơ.
            Bước 5. Theo dõi ở mục "Tra cứu hồ sơ". Khi có kết quả bạn sẽ được báo; nhận
            kết quả tại Trung tâm Phục vụ hành chính công của xã hoặc theo cách đã chọn.

            Nếu chưa quen, bạn có thể nhờ Tổ công nghệ số cộng đồng ở thôn hỗ trợ.
        """),
        body_en=_text("""
            The official site is dichvucong.gov.vn (beware of fake sites with similar names).

            Step 1. Choose "Log in" and sign in with your VNeID electronic identity account
            (ID number and password, or scan the QR code with the VNeID app).
            Step 2. Type the name of the procedure in the search box, for example "birth
            registration", and choose the right province and commune.
            Step 3. Fill in the form, take clear photos of your papers and attach them.
            Step 4. Check everything and press "Submit". Write down the file code.
            Step 5. Follow it under "Look up a file". You are told when the result is ready;
            collect it at the commune's Public Administration Service Centre or as you chose.

            If this is new to you, the village community digital-technology team can help.
        """),
    ),
    SeedArticle(
        slug="dang-ky-khai-sinh-truc-tuyen",
        topic_code="birth_residence_registration",
        title_vi="Đăng ký khai sinh trực tuyến cho con",
        title_en="Registering a child's birth online",
        body_vi=_text("""
            Trong 60 ngày kể từ ngày sinh, cha hoặc mẹ cần đăng ký khai sinh cho con.
            Đăng ký đúng hạn không mất lệ phí.

            Cách làm: vào dichvucong.gov.vn hoặc ứng dụng VNeID, đăng nhập bằng tài khoản
            định danh mức 2, chọn thủ tục liên thông "Đăng ký khai sinh, đăng ký thường trú,
            cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi".

            Cần chuẩn bị:
            - Ảnh chụp Giấy chứng sinh do bệnh viện, trạm y tế cấp.
            - Thông tin của cha, mẹ; nếu cha mẹ đã đăng ký kết hôn thì có thể cần Giấy chứng
              nhận kết hôn.
            - Tên dự kiến của con và nơi con sẽ đăng ký thường trú.

            Khi hồ sơ được duyệt, con được cấp số định danh cá nhân; bạn nhận Giấy khai
            sinh theo hướng dẫn trên cổng. Cần giúp, hãy hỏi Trung tâm Phục vụ hành chính
            công của xã.
        """),
        body_en=_text("""
            Within 60 days of the birth, the father or mother must register it. Registering
            on time is free.

            How: on dichvucong.gov.vn or in the VNeID app, log in with a level-2 account and
            choose the combined procedure "Birth registration, permanent residence
            registration and health insurance card for children under 6".

            Have ready:
            - A photo of the birth certificate issued by the hospital or health station.
            - The parents' details; if the parents are married, the marriage certificate
              may be needed.
            - The child's chosen name and where the child will be registered as resident.

            Once approved, the child gets a personal ID number and you receive the birth
            certificate as the portal explains. For help, ask the commune's Public
            Administration Service Centre.
        """),
    ),
    SeedArticle(
        slug="dang-ky-thuong-tru-tam-tru",
        topic_code="birth_residence_registration",
        title_vi="Đăng ký cư trú: thường trú và tạm trú",
        title_en="Residence registration: permanent and temporary",
        body_vi=_text("""
            Từ năm 2023 không còn dùng sổ hộ khẩu giấy; thông tin cư trú nằm trong Cơ sở dữ
            liệu quốc gia về dân cư và xem được trên ứng dụng VNeID.

            - Đăng ký thường trú: khi bạn chuyển đến ở lâu dài tại chỗ ở mới.
            - Đăng ký tạm trú: khi bạn đến sống ở nơi khác ngoài nơi thường trú từ 30 ngày trở lên
              (đi làm, đi học...).

            Nơi làm: Công an xã, phường nơi có chỗ ở, hoặc trực tuyến trên dichvucong.gov.vn,
            ứng dụng VNeID.

            Cần chuẩn bị: tờ khai thay đổi thông tin cư trú, giấy tờ chứng minh chỗ ở hợp
            pháp (sổ đỏ, hợp đồng thuê nhà...), và sự đồng ý của chủ nhà hoặc chủ hộ nếu ở
            nhờ, ở thuê. Hỏi Công an xã nếu bạn không chắc mình cần giấy tờ gì.
        """),
        body_en=_text("""
            Since 2023 the paper household book is no longer used; residence details are in
            the National Population Database and can be seen in the VNeID app.

            - Permanent residence registration: when you move to live long-term in a new home.
            - Temporary residence registration: when you live somewhere other than your
              permanent residence for 30 days or more (for work, study...).

            Where: the police of the commune or ward where you live, or online on
            dichvucong.gov.vn or in the VNeID app.

            Have ready: the residence information change form, papers proving you may live
            there (land-use certificate, rental contract...), and the consent of the owner or
            head of household if you stay in someone else's home. Ask the commune police if
            you are unsure which papers you need.
        """),
    ),
    SeedArticle(
        slug="thanh-toan-phi-le-phi-truc-tuyen",
        topic_code="electronic_payment",
        title_vi="Thanh toán phí, lệ phí thủ tục hành chính trực tuyến",
        title_en="Paying public-service fees online",
        body_vi=_text("""
            Khi nộp hồ sơ trên dichvucong.gov.vn, nếu thủ tục có phí, cổng sẽ hiện nút
            "Thanh toán".

            Bước 1. Bấm "Thanh toán", xem đúng tên thủ tục và số tiền.
            Bước 2. Chọn ngân hàng hoặc ví điện tử của bạn, hoặc quét mã QR bằng ứng dụng
            ngân hàng.
            Bước 3. Xác nhận trên ứng dụng ngân hàng. Lưu lại biên lai điện tử.

            Chỉ thanh toán qua trang thanh toán của cổng dịch vụ công hoặc tại quầy của
            Trung tâm Phục vụ hành chính công. Cán bộ không bao giờ yêu cầu chuyển tiền vào
            tài khoản cá nhân. Nếu đã trừ tiền mà hồ sơ vẫn báo chưa thanh toán, hãy chụp
            biên lai và gửi yêu cầu hỗ trợ trên XaDesk.
        """),
        body_en=_text("""
            When you file on dichvucong.gov.vn and the procedure has a fee, the portal shows
            a "Pay" button.

            Step 1. Press "Pay" and check the procedure name and the amount.
            Step 2. Choose your bank or e-wallet, or scan the QR code with your banking app.
            Step 3. Confirm in your banking app. Keep the electronic receipt.

            Only pay through the public service portal's payment page or at the counter of
            the Public Administration Service Centre. Officials never ask you to transfer
            money to a personal account. If the money was taken but the file still says
            unpaid, take a screenshot of the receipt and send a help request on XaDesk.
        """),
    ),
    SeedArticle(
        slug="nhan-biet-tin-nhan-cuoc-goi-lua-dao",
        topic_code="scam_message",
        title_vi="Nhận biết tin nhắn, cuộc gọi lừa đảo",
        title_en="How to recognise scam messages and calls",
        body_vi=_text("""
            Dấu hiệu thường gặp:
            - Người gọi xưng là công an, viện kiểm sát, tòa án, nói bạn liên quan đến vụ án
              và bắt chuyển tiền "để xác minh". Công an không làm việc và không yêu cầu
              chuyển tiền qua điện thoại.
            - Tin nhắn báo trúng thưởng nhưng đòi nộp phí trước để nhận quà.
            - Tin nhắn báo "tài khoản bị khóa", "cập nhật định danh mức 2", "sắp cắt điện"
              kèm đường link lạ.
            - Bắt cài ứng dụng từ đường link, hoặc hỏi mã OTP, mật khẩu, số thẻ ngân hàng.

            Nên làm:
            - Không bấm vào đường link lạ, không đọc mã OTP cho bất kỳ ai.
            - Chỉ cài ứng dụng từ CH Play hoặc App Store.
            - Tự gọi lại ngân hàng theo số in sau thẻ hoặc trên trang chính thức của ngân hàng.
            - Báo Công an xã; báo tin nhắn rác theo hướng dẫn của nhà mạng tới đầu số 5656.
        """),
        body_en=_text("""
            Common signs:
            - The caller says they are police, a prosecutor or a court, says you are part of
              a case and asks you to transfer money "for checking". The police do not handle
              cases or ask for money over the phone.
            - A message says you won a prize but must pay a fee first.
            - A message says "your account is locked", "update your level-2 ID" or "your
              electricity will be cut" and has a strange link.
            - You are asked to install an app from a link, or for an OTP code, a password or
              a bank card number.

            What to do:
            - Do not open strange links; never read an OTP code to anyone.
            - Install apps only from Google Play or the App Store.
            - Call your bank yourself on the number printed on your card or on its official site.
            - Tell the commune police; report spam messages to 5656 as your network explains.
        """),
    ),
    SeedArticle(
        slug="da-chuyen-tien-cho-ke-lua-dao",
        topic_code="scam_message",
        title_vi="Lỡ chuyển tiền hoặc lộ mã OTP cho kẻ lừa đảo: làm gì ngay?",
        title_en="I sent money or gave an OTP code to a scammer: what now?",
        body_vi=_text("""
            Làm ngay, càng sớm càng tốt:
            1. Gọi ngân hàng theo số in sau thẻ để khóa thẻ, khóa tài khoản hoặc ứng dụng.
            2. Đổi mật khẩu ngân hàng, VNeID, Zalo, Facebook; không cài thêm gì theo lời kẻ gian.
            3. Nếu đã cài ứng dụng lạ, tắt mạng điện thoại rồi nhờ người tin cậy gỡ ứng dụng.
            4. Chụp lại tin nhắn, số điện thoại, thông tin giao dịch để làm bằng chứng.
            5. Đến Công an xã, phường trình báo và mang theo bằng chứng.

            Cẩn thận với người hứa "lấy lại tiền" nếu bạn trả phí: đó thường là lừa đảo lần hai.
            Bạn có thể gửi yêu cầu hỗ trợ trên XaDesk để được hướng dẫn tiếp.
        """),
        body_en=_text("""
            Act now, as fast as you can:
            1. Call your bank on the number printed on your card to block the card, the account
               or the banking app.
            2. Change your bank, VNeID, Zalo and Facebook passwords; install nothing the
               scammer tells you to.
            3. If you installed a strange app, turn off mobile data and ask someone you trust
               to remove it.
            4. Keep screenshots of the messages, phone numbers and transaction details as evidence.
            5. Report it to the commune or ward police and bring the evidence.

            Beware of anyone who promises to "get the money back" for a fee: that is usually a
            second scam. You can send a help request on XaDesk for further guidance.
        """),
    ),
    SeedArticle(
        slug="gui-phan-anh-tren-xadesk",
        topic_code="help_other",
        title_vi="Cách gửi phản ánh, yêu cầu hỗ trợ trên XaDesk",
        title_en="How to send a report or help request on XaDesk",
        body_vi=_text("""
            Phản ánh hiện trường (đường hỏng, rác thải, cây đổ, cống ngập):
            1. Chọn "Gửi phản ánh", chụp ảnh rõ nơi xảy ra.
            2. Cho phép lấy vị trí, hoặc chạm lên bản đồ để chọn đúng chỗ.
            3. Viết vài dòng mô tả rồi bấm "Gửi".

            Cần hỏi về thủ tục (VNeID, khai sinh, cư trú, tin nhắn lạ): chọn "Yêu cầu hỗ
            trợ", chọn chủ đề và viết câu hỏi. Các bài hướng dẫn phù hợp sẽ hiện ra ngay.

            Sóng yếu cũng không sao: phản ánh được giữ trong máy và tự gửi khi có mạng, chỉ
            gửi một lần. Bạn nhận mã phản ánh và thông báo mỗi khi có người xử lý. Khi xong,
            hãy chấm điểm kết quả. Không có điện thoại thông minh? Nhờ Tổ công nghệ số cộng
            đồng ở thôn gửi giúp.
        """),
        body_en=_text("""
            Field report (broken road, rubbish, fallen tree, flooded culvert):
            1. Choose "Send a report" and take a clear photo of the place.
            2. Allow location, or tap the map to pick the right spot.
            3. Write a few lines and press "Send".

            Questions about a procedure (VNeID, birth, residence, a strange message): choose
            "Help request", pick a topic and write your question. Matching guides appear at once.

            Weak signal is fine: the report is kept on the phone and sent once when the
            signal returns. You get a report code and a notice each time someone acts on it.
            When it is done, please rate the result. No smartphone? Ask the village
            community digital-technology team to send it for you.
        """),
    ),
    SeedArticle(
        slug="dung-vneid-thay-giay-to",
        topic_code="vneid_account",
        title_vi="Dùng VNeID thay giấy tờ khi đi làm thủ tục",
        title_en="Using VNeID instead of paper documents",
        body_vi=_text("""
            Với tài khoản VNeID mức độ 2, bạn có thể tích hợp và xuất trình trên điện thoại
            một số giấy tờ như thẻ bảo hiểm y tế, giấy phép lái xe, đăng ký xe.

            Cách tích hợp: mở VNeID, chọn "Ví giấy tờ" rồi "Tích hợp thông tin", chọn loại
            giấy tờ, nhập thông tin và gửi yêu cầu. Khi được duyệt, giấy tờ hiện trong ví.

            Khi cần xuất trình, mở ứng dụng và đưa màn hình cho cán bộ. Nên mang theo thẻ
            căn cước phòng khi điện thoại hết pin hoặc mất mạng.
        """),
        body_en=_text("""
            With a level-2 VNeID account you can add some documents to your phone and show
            them there, such as your health insurance card, driving licence and vehicle
            registration.

            How: open VNeID, choose "Document wallet" then "Add information", pick the
            document type, enter the details and send the request. Once approved, the
            document appears in the wallet.

            To show it, open the app and show the screen to the official. Keep your ID card
            with you in case the phone's battery runs out or there is no signal.
        """),
    ),
)


def knowledge_seed(*, article_model: type[Article] | None = None) -> int:
    """Create the published seed articles that do not exist yet; return how many.

    Migration helpdesk 0003_article calls this with its historical model
    (helpdesk.Article), so only the fields that exist there are written. When a
    field changes, freeze a copy of this function into that migration first.
    """
    model = article_model or Article
    manager = model._default_manager
    existing = set(
        manager.filter(slug__in=[seed.slug for seed in SEED_ARTICLES]).values_list(
            "slug", flat=True
        )
    )
    created = []
    for seed in SEED_ARTICLES:
        if seed.slug in existing:
            continue
        article = model(
            slug=seed.slug,
            topic_code=seed.topic_code,
            title_vi=seed.title_vi,
            title_en=seed.title_en,
            body_vi=seed.body_vi,
            body_en=seed.body_en,
            is_published=True,
        )
        article.search_title, article.search_text = search_fields(
            title_vi=seed.title_vi,
            title_en=seed.title_en,
            body_vi=seed.body_vi,
            body_en=seed.body_en,
        )
        article.full_clean()
        created.append(article)
    manager.bulk_create(created)
    return len(created)
