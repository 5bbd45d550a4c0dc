"""The research desk's interface words in Vietnamese (merged into :data:`factdesk.publish.i18n.VI`)
and the English labels of its machine words (stances, audit actions)."""

from __future__ import annotations

VI_RESEARCH: dict[str, str] = {
    "Library": "Thư viện nguồn",
    "Sources for research: each is archived (bytes, SHA-256, time retrieved) and cut into passages. Adding a changed source again keeps both versions.": "Nguồn phục vụ kiểm chứng: mỗi nguồn được lưu trữ (nội dung gốc, SHA-256, thời điểm lấy) và chia thành đoạn. Thêm lại một nguồn đã thay đổi sẽ giữ cả hai phiên bản.",
    "Search the library": "Tìm trong thư viện",
    "Searching the library…": "Đang tìm trong thư viện…",
    "Research: evidence from the library": "Tra cứu: bằng chứng từ thư viện",
    "Add a source": "Thêm nguồn",
    "Add sources": "Thêm nguồn",
    "Add to the library": "Thêm vào thư viện",
    "or a file (HTML, PDF, text, Markdown, CSV)": "hoặc một tệp (HTML, PDF, văn bản, Markdown, CSV)",
    "Date": "Ngày",
    "Date (YYYY, YYYY-MM or YYYY-MM-DD)": "Ngày (YYYY, YYYY-MM hoặc YYYY-MM-DD)",
    "Type": "Loại",
    "Versions": "Phiên bản",
    "Passages": "Đoạn",
    "Archived versions": "Các phiên bản lưu trữ",
    "Retrieved": "Thời điểm lấy",
    "Passages of the current version": "Các đoạn của phiên bản hiện tại",
    "No passages.": "Không có đoạn nào.",
    "No passage of the library matches.": "Không có đoạn nào trong thư viện khớp.",
    "Cite this passage": "Trích dẫn đoạn này",
    "cited": "đã trích dẫn",
    "current": "hiện tại",
    "score": "điểm",
    "searched": "đang được tìm kiếm",
    "Restore": "Khôi phục",
    "withdrawn: not searched; its archived versions stay for the citations that quote them": "đã rút: không còn được tìm kiếm; các phiên bản lưu trữ vẫn giữ cho những trích dẫn đã dùng",
    "Source added.": "Đã thêm nguồn.",
    "A new version of the source was archived; the earlier one is kept.": "Đã lưu một phiên bản mới của nguồn; phiên bản trước vẫn được giữ.",
    "Same bytes as an archived version: nothing changed.": "Trùng nội dung với một phiên bản đã lưu: không có gì thay đổi.",
    "Stance is an aid to the person checking, never a verdict.": "Lập trường chỉ hỗ trợ người kiểm chứng, không bao giờ là kết luận.",
    "Stance is a model's reading: an aid to the person checking, never a verdict. Read each passage in its source.": "Lập trường là cách mô hình đọc đoạn văn: chỉ hỗ trợ người kiểm chứng, không bao giờ là kết luận. Hãy đọc từng đoạn trong nguồn của nó.",
    "supports": "ủng hộ",
    "refutes": "bác bỏ",
    "not_enough_info": "chưa đủ thông tin",
    "library.add": "đã thêm nguồn vào thư viện",
    "library.new_version": "đã lưu phiên bản mới của nguồn",
    "library.withdraw": "đã rút nguồn khỏi thư viện",
    "library.restore": "đã khôi phục nguồn",
}

EN_RESEARCH: dict[str, str] = {
    "not_enough_info": "not enough info",
    "library.add": "added a library source",
    "library.new_version": "archived a new version of a library source",
    "library.withdraw": "withdrew a library source",
    "library.restore": "restored a library source",
}
