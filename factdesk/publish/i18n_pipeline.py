"""The pipeline pages' words in Vietnamese (merged into :data:`factdesk.publish.i18n.VI`)."""

from __future__ import annotations

VI_PIPELINE: dict[str, str] = {
    "Pipeline jobs": "Tác vụ xử lý",
    "Jobs": "Tác vụ",
    "Sources are polled, then their items go through ingest, detect, link and match as jobs. A job that keeps failing becomes a dead letter: fix the cause, then queue it again.": "Các nguồn được tải định kỳ, rồi nội dung của chúng đi qua các tác vụ nhập, phát hiện, liên kết và đối chiếu. Tác vụ thất bại nhiều lần sẽ bị dừng hẳn: hãy sửa nguyên nhân rồi xếp hàng lại.",
    "Retry every dead job": "Chạy lại mọi tác vụ đã dừng",
    "Retry": "Chạy lại",
    "Kind": "Loại",
    "Ids": "Mã",
    "Due": "Đến hạn",
    "Worker": "Tiến trình",
    "No jobs.": "Chưa có tác vụ nào.",
    "queued": "đang chờ",
    "running": "đang chạy",
    "done": "xong",
    "dead": "đã dừng",
    "ingest": "nhập",
    "detect": "phát hiện",
    "link": "liên kết",
    "match": "đối chiếu",
    "Paused": "Tạm dừng",
    "Resume polling": "Tải lại định kỳ",
    "Next fetch": "Lần tải tới",
}
