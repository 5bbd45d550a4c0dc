"""The interface in Vietnamese and English.

Templates write English text inside ``_("...")``; the English text is the key, so a missing
Vietnamese translation falls back to readable English (a test lists every ``_()`` string
of the templates and fails on any without a translation). The language comes from the
``fd_lang`` cookie (set by the language links), else the browser's Accept-Language, else
the ``FACTDESK_DEFAULT_UI_LANGUAGE`` setting.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import Request

LANGUAGES = ("vi", "en")
COOKIE = "fd_lang"

VI: dict[str, str] = {
    # navigation and layout
    "Dashboard": "Tổng quan",
    "Claim queue": "Hàng đợi nhận định",
    "Review": "Duyệt bài",
    "Evidence": "Bằng chứng",
    "Sources": "Nguồn",
    "Quarantine": "Cách ly",
    "Audit log": "Nhật ký",
    "Tipline": "Đường dây tin báo",
    "Settings": "Cài đặt",
    "Users": "Người dùng",
    "Sign out": "Đăng xuất",
    "Public site": "Trang công khai",
    "Newsroom": "Tòa soạn",
    "Site": "Trang",
    "Sign in": "Đăng nhập",
    "Sign in to the desk": "Đăng nhập vào tòa soạn",
    "User name": "Tên đăng nhập",
    "Password": "Mật khẩu",
    "Wrong user name or password.": "Sai tên đăng nhập hoặc mật khẩu.",
    "Export CSV": "Xuất CSV",
    "Pages": "Trang",
    "Page": "Trang",
    "Previous": "Trước",
    "Next": "Sau",
    "Go back": "Quay lại",
    "Not possible": "Không thực hiện được",
    "Not allowed": "Không được phép",
    "Not found": "Không tìm thấy",
    "Too many attempts": "Quá nhiều lần thử",
    "Something went wrong": "Đã có lỗi",
    # dashboard
    "new claims": "nhận định mới",
    "New claims by worthiness and spread": "Nhận định mới theo mức đáng kiểm chứng và độ lan truyền",
    "Rows: check-worthiness score; columns: number of mentions.": "Hàng: điểm đáng kiểm chứng; cột: số lần được nhắc đến.",
    "Most check-worthy new claims": "Nhận định mới đáng kiểm chứng nhất",
    "No new claims above the threshold.": "Không có nhận định mới nào vượt ngưỡng.",
    "Mentions over the last 30 days": "Số lần nhắc đến trong 30 ngày qua",
    "Resurgence alerts": "Cảnh báo tái xuất hiện",
    "No alerts.": "Không có cảnh báo.",
    "Work in progress": "Đang thực hiện",
    "Nothing in progress.": "Không có việc đang làm.",
    "Claim": "Nhận định",
    "Status": "Trạng thái",
    "Author": "Tác giả",
    "Updated": "Cập nhật",
    "mentions": "lần nhắc đến",
    # queue
    "Search": "Tìm kiếm",
    "words in the claim": "từ trong nhận định",
    "Language": "Ngôn ngữ",
    "any": "tất cả",
    "Source": "Nguồn",
    "Min. score": "Điểm tối thiểu",
    "Min. mentions": "Số lần nhắc tối thiểu",
    "Seen since": "Thấy từ ngày",
    "First seen until": "Thấy lần đầu đến ngày",
    "Sort": "Sắp xếp",
    "Worthiness": "Mức đáng kiểm chứng",
    "Most recent": "Mới nhất",
    "Spread": "Độ lan truyền",
    "Filter": "Lọc",
    "claims": "nhận định",
    "ignored invalid filters": "đã bỏ qua bộ lọc sai",
    "Score": "Điểm",
    "Mentions": "Lần nhắc đến",
    "Last seen": "Thấy lần cuối",
    "No claims match.": "Không có nhận định nào phù hợp.",
    # claim page
    "first seen": "thấy lần đầu",
    "last seen": "thấy lần cuối",
    "Open the fact-check": "Mở bài kiểm chứng",
    "Start a fact-check": "Bắt đầu kiểm chứng",
    "link": "liên kết",
    "No mentions yet.": "Chưa có lần nhắc đến nào.",
    "Matched earlier fact-checks": "Bài kiểm chứng trước đây khớp",
    "No earlier fact-check matches this claim.": "Chưa có bài kiểm chứng nào trước đây khớp với nhận định này.",
    "Evidence cited so far": "Bằng chứng đã trích dẫn",
    "History": "Lịch sử",
    "archived copy": "bản lưu trữ",
    "archived copy deleted": "bản lưu trữ đã bị xóa",
    "quote not found on the archived page": "không tìm thấy trích dẫn trong trang đã lưu",
    "Remove": "Gỡ bỏ",
    "No evidence cited yet.": "Chưa trích dẫn bằng chứng nào.",
    "Nothing has happened yet.": "Chưa có hoạt động nào.",
    # fact-check editor and review
    "Fact-check": "Bài kiểm chứng",
    "version": "phiên bản",
    "approved by": "duyệt bởi",
    "public page": "trang công khai",
    "review view": "xem để duyệt",
    "editor view": "xem để sửa",
    "Verdict": "Kết luận",
    "Rating": "Đánh giá",
    "(not rated yet)": "(chưa đánh giá)",
    "Short verdict": "Kết luận ngắn",
    "Headline (optional)": "Tiêu đề (không bắt buộc)",
    "Explanation (Markdown)": "Giải thích (Markdown)",
    "Save": "Lưu",
    "Preview": "Xem trước",
    "Correct this fact-check": "Đính chính bài kiểm chứng này",
    "Public correction note": "Ghi chú đính chính công khai",
    "Publish correction": "Đăng đính chính",
    "Cited evidence": "Bằng chứng trích dẫn",
    "The page is fetched and archived now, so the citation still resolves if the source changes or disappears.": "Trang được tải và lưu trữ ngay bây giờ, để trích dẫn vẫn mở được khi nguồn thay đổi hoặc biến mất.",
    "URL": "URL",
    "Exact quote": "Trích dẫn nguyên văn",
    "Publisher": "Đơn vị xuất bản",
    "Date of the source": "Ngày của nguồn",
    "Archive and cite": "Lưu trữ và trích dẫn",
    "Review comments": "Nhận xét duyệt bài",
    "No comments yet.": "Chưa có nhận xét nào.",
    "Comment": "Nhận xét",
    "Add comment": "Thêm nhận xét",
    "Decision": "Quyết định",
    "Comment for the author": "Nhận xét cho tác giả",
    "Public note: why it is withdrawn": "Ghi chú công khai: lý do gỡ bài",
    "Start writing the verdict": "Bắt đầu viết kết luận",
    "Submit for review": "Gửi duyệt",
    "Send back": "Trả lại",
    "Approve": "Duyệt",
    "Publish": "Đăng",
    "Withdraw": "Gỡ bài",
    "Waiting for review": "Đang chờ duyệt",
    "Approved": "Đã duyệt",
    "Nothing waits for review.": "Không có bài nào chờ duyệt.",
    "yes": "có",
    "no": "không",
    # back office
    "Name": "Tên",
    "Kind": "Loại",
    "Items": "Mục",
    "Last fetch": "Lần tải cuối",
    "Error": "Lỗi",
    "Fetch now": "Tải ngay",
    "No sources yet.": "Chưa có nguồn nào.",
    "Add a feed": "Thêm nguồn tin",
    "Feed URL (RSS or Atom)": "URL nguồn tin (RSS hoặc Atom)",
    "Add feed": "Thêm nguồn",
    "Evidence library": "Thư viện bằng chứng",
    "Title": "Tiêu đề",
    "Archived": "Đã lưu trữ",
    "Citations": "Trích dẫn",
    "No documents.": "Không có tài liệu.",
    "Document": "Tài liệu",
    "Content hash (SHA-256)": "Mã băm nội dung (SHA-256)",
    "Stored copy": "Bản lưu",
    "Cited by": "Được trích dẫn bởi",
    "Archived text": "Văn bản đã lưu",
    "Input that could not be used, with where it was and why.": "Dữ liệu không dùng được, kèm vị trí và lý do.",
    "When": "Thời gian",
    "Origin": "Nguồn gốc",
    "Where": "Vị trí",
    "Reason": "Lý do",
    "raw": "dữ liệu gốc",
    "Nothing in quarantine.": "Không có gì trong khu cách ly.",
    "Record": "Bản ghi",
    "Action": "Hành động",
    "Who": "Người thực hiện",
    "Before": "Trước",
    "After": "Sau",
    "No events.": "Không có sự kiện.",
    "Tipline submissions": "Tin báo gửi về",
    "Claims and links sent through the public form and API; each entered the queue as an item.": "Nhận định và liên kết gửi qua biểu mẫu công khai và API; mỗi tin đã vào hàng đợi.",
    "Contact": "Liên hệ",
    "Link": "Liên kết",
    "No submissions yet.": "Chưa có tin báo nào.",
    "Rating scale, best first: one rating per line, as “label = value” or just “label”": "Thang đánh giá, tốt nhất trước: mỗi dòng một mức, dạng “nhãn = giá trị” hoặc chỉ “nhãn”",
    "Check-worthiness thresholds (0–1)": "Ngưỡng đáng kiểm chứng (0–1)",
    "High": "Cao",
    "Low": "Thấp",
    "Spread thresholds (mentions)": "Ngưỡng lan truyền (số lần nhắc)",
    "Content languages (comma-separated codes)": "Ngôn ngữ nội dung (mã, cách nhau bởi dấu phẩy)",
    "Save settings": "Lưu cài đặt",
    "Role": "Vai trò",
    "Active": "Hoạt động",
    "Created": "Tạo lúc",
    "Change": "Đổi",
    "Add a user": "Thêm người dùng",
    "Password (at least 10 characters)": "Mật khẩu (ít nhất 10 ký tự)",
    "Add user": "Thêm",
    # public site
    "Fact-checks": "Bài kiểm chứng",
    "Send us a claim": "Gửi nhận định cho chúng tôi",
    "Nothing published yet.": "Chưa có bài nào được đăng.",
    "This fact-check has been withdrawn.": "Bài kiểm chứng này đã bị gỡ.",
    "Published": "Đăng lúc",
    "corrected": "đã đính chính",
    "Archived copy": "Bản lưu trữ",
    "Thank you: the desk has received it.": "Cảm ơn bạn: tòa soạn đã nhận được.",
    "Seen something that sounds doubtful? Paste the claim or a link. No account needed; contact details are optional and never published.": "Bạn thấy thông tin đáng ngờ? Dán nhận định hoặc liên kết. Không cần tài khoản; thông tin liên hệ không bắt buộc và không bao giờ được công bố.",
    "The claim": "Nhận định",
    "Link (optional)": "Liên kết (không bắt buộc)",
    "Contact (optional)": "Liên hệ (không bắt buộc)",
    "Send": "Gửi",
    # public fact-check pages (publishing area)
    "fact-checks": "bài kiểm chứng",
    "No fact-check matches.": "Không có bài kiểm chứng nào phù hợp.",
    "Feeds": "Nguồn cấp tin",
    "ClaimReview data feed": "Dữ liệu ClaimReview",
    "Why": "Lý do",
    "No reason was given.": "Không nêu lý do.",
    "Withdrawn": "Đã gỡ",
    "Corrected": "Đã đính chính",
    "No note was given.": "Không có ghi chú.",
    "Full history": "Xem toàn bộ lịch sử",
    "Where the claim appeared": "Nơi nhận định xuất hiện",
    "No appearance recorded.": "Chưa ghi nhận nơi xuất hiện nào.",
    "No evidence cited.": "Không có bằng chứng được trích dẫn.",
    "Corrections and history": "Đính chính và lịch sử",
    "Version": "Phiên bản",
    "Published by": "Đăng bởi",
    "Last updated": "Cập nhật lần cuối",
    "Claim made": "Nhận định được đưa ra",
    "Original": "Bản gốc",
    "The text of a cited source as it was when the desk cited it. The original may have changed since.": "Nội dung của nguồn được trích dẫn, đúng như khi tòa soạn trích dẫn. Bản gốc có thể đã thay đổi.",
    # states, roles, kinds
    "new": "mới",
    "researching": "đang tìm hiểu",
    "draft": "bản nháp",
    "in_review": "chờ duyệt",
    "published": "đã đăng",
    "withdrawn": "đã gỡ",
    "viewer": "người xem",
    "checker": "người kiểm chứng",
    "editor": "biên tập viên",
    "admin": "quản trị",
    "comment": "nhận xét",
    "send_back": "trả lại",
    "approve": "duyệt",
    "publish": "đăng",
    "correct": "đính chính",
    "withdraw": "gỡ bài",
    "submit": "gửi duyệt",
    "feed": "nguồn tin",
    "page": "trang web",
    "file": "tệp",
    "submission": "tin báo",
    "ok": "ổn",
    "not_modified": "không đổi",
    "error": "lỗi",
    # audit actions
    "fact_check.start": "bắt đầu kiểm chứng",
    "fact_check.edit": "sửa kết luận",
    "fact_check.cite": "trích dẫn bằng chứng",
    "fact_check.uncite": "gỡ bằng chứng",
    "fact_check.draft": "bắt đầu viết kết luận",
    "fact_check.submit": "gửi duyệt",
    "fact_check.send_back": "trả lại",
    "fact_check.approve": "duyệt",
    "fact_check.publish": "đăng",
    "fact_check.correct": "đính chính",
    "fact_check.withdraw": "gỡ bài",
    "fact_check.comment": "nhận xét",
    # workflow reasons (composed as "cannot <action>: <reason>")
    "cannot": "không thể",
    "needs at least one cited evidence item": "cần ít nhất một bằng chứng được trích dẫn",
    "needs a rating": "cần có đánh giá",
    "needs a short verdict": "cần có kết luận ngắn",
    "an author cannot approve their own fact-check; a second person must": "tác giả không thể tự duyệt bài của mình; phải là người thứ hai",
    "already approved": "đã được duyệt",
    "needs approval by a second person before publishing": "cần người thứ hai duyệt trước khi đăng",
    "the approver is an author; a second person must approve": "người duyệt là tác giả; phải có người thứ hai duyệt",
    "needs a note saying why": "cần ghi chú lý do",
}

# English labels for the machine words (states, roles, audit actions) shown as text.
EN: dict[str, str] = {
    "new": "new",
    "researching": "researching",
    "draft": "draft",
    "in_review": "in review",
    "published": "published",
    "corrected": "corrected",
    "withdrawn": "withdrawn",
    "send_back": "sent back",
    "approve": "approved",
    "comment": "comment",
    "not_modified": "not modified",
    "submission": "tipline",
    "fact_check.start": "started the fact-check",
    "fact_check.edit": "edited the verdict",
    "fact_check.cite": "cited evidence",
    "fact_check.uncite": "removed evidence",
    "fact_check.draft": "started writing the verdict",
    "fact_check.submit": "submitted for review",
    "fact_check.send_back": "sent it back",
    "fact_check.approve": "approved",
    "fact_check.publish": "published",
    "fact_check.correct": "published a correction",
    "fact_check.withdraw": "withdrew it",
    "fact_check.comment": "commented",
}

_REASON = re.compile(r"^cannot (\w+): (.+)$")
_STATE_REASON = re.compile(r"^cannot (\w+) a fact-check in state (\w+)$")


def translate(text: str, lang: str) -> str:
    if lang != "vi" or not text:
        return EN.get(text, text)
    found = VI.get(text)
    if found is not None:
        return found
    match = _REASON.match(text)
    if match:
        return f"{VI['cannot']} {VI.get(match[1], match[1])}: {VI.get(match[2], match[2])}"
    match = _STATE_REASON.match(text)
    if match:
        return f"{VI['cannot']} {VI.get(match[1], match[1])} ({VI.get(match[2], match[2])})"
    return text


def translator(lang: str) -> Callable[[str], str]:
    return lambda text: translate(str(text), lang)


def pick(request: Request, default: str) -> str:
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default if default in LANGUAGES else "vi"
