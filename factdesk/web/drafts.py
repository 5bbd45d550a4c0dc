"""No typed word lost: autosave, and a form posted after the session ended.

The editor's script (``static/desk.js``) posts the verdict or correction form here a
moment after the typing stops; the text lands in the writer's drafts
(:mod:`factdesk.services.drafts`), never in the fact-check itself. When a form arrives
after the sign-in session ended, :func:`login_stash` turns it into a hidden field of the
sign-in page, and signing in stores it as the person's draft before going back to the
fact-check, which offers it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from factdesk.errors import FactdeskError
from factdesk.services import drafts
from factdesk.types import Actor, Draft
from factdesk.web.deps import db, require
from factdesk.workflow import Permission

router = APIRouter(prefix="/desk")
FIELDS = ("rating_label", "summary", "explanation", "title", "note")
_FORM_PATH = re.compile(r"^/desk/fact-checks/(\d+)/(edit|transition|autosave|correct)$")
MAX_STASH = 120_000  # characters: the longest explanation, with room for the rest


def draft_of(fields: dict[str, str]) -> Draft:
    return Draft(
        fields.get("rating_label", ""),
        fields.get("summary", ""),
        fields.get("explanation", ""),
        fields.get("title", ""),
    )


@router.post("/fact-checks/{fc_id}/autosave")
def autosave(
    fc_id: int,
    form: str = Form("verdict"),
    version: int = Form(0),
    rating_label: str = Form(""),
    summary: str = Form(""),
    explanation: str = Form(""),
    title: str = Form(""),
    note: str = Form(""),
    actor: Actor = Depends(require(Permission.WORK)),
    session: Session = Depends(db),
) -> Response:
    """Keep what is in the form now; answers with a line for the form's status area."""
    typed = Draft(rating_label, summary, explanation, title)
    with session.begin():
        saved = drafts.save(session, actor, fc_id, form, typed, note, version)
    when = saved.saved_at.strftime("%H:%M:%S") if saved.saved_at else ""
    return HTMLResponse(f'<span data-saved="{when}">{when}</span>')


@router.post("/fact-checks/{fc_id}/drafts/{form}/discard")
def discard(
    fc_id: int,
    form: str,
    actor: Actor = Depends(require(Permission.WORK)),
    session: Session = Depends(db),
) -> Response:
    with session.begin():
        drafts.discard(session, actor, fc_id, form)
    return RedirectResponse(f"/desk/fact-checks/{fc_id}", status_code=303)


def login_stash(request: Request) -> tuple[str, str] | None:
    """For a fact-check form posted without a valid session: where to go back to after
    signing in, and the typed text as a JSON string for the sign-in form; None otherwise."""
    if request.method != "POST" or not _same_origin(request):
        return None
    found = _FORM_PATH.match(request.url.path)
    posted: dict[str, str] = getattr(request.state, "posted", None) or {}
    if found is None or not any(posted.get(k, "").strip() for k in FIELDS):
        return None
    kind = "correction" if found[2] == "correct" or posted.get("action") == "correct" else "verdict"
    if posted.get("form") in drafts.FORMS:
        kind = posted["form"]
    stash = {k: posted.get(k, "") for k in FIELDS}
    stash |= {"fc": found[1], "form": kind, "version": posted.get("version", "0")}
    text = json.dumps(stash, ensure_ascii=False)
    if len(text) > MAX_STASH:
        return None
    return f"/desk/fact-checks/{found[1]}", text


def _same_origin(request: Request) -> bool:
    """Only a form of our own pages is carried through sign-in: another site posting text
    to a signed-out browser gets the plain redirect (its text is never offered as a draft)."""
    if request.headers.get("sec-fetch-site") == "same-origin":
        return True
    origin = request.headers.get("origin", "")
    return bool(origin) and origin == f"{request.url.scheme}://{request.url.netloc}"


def keep_stash(session: Session, actor: Actor, stash: str) -> None:
    """After signing in: store the text carried through the sign-in page as the person's
    draft (bad or foreign input is ignored: it is only ever offered back to them)."""
    try:
        data: Any = json.loads(stash)
        fc_id, form = int(data["fc"]), str(data["form"])
        version = int(data.get("version") or 0)
        fields = {k: str(data.get(k, "")) for k in FIELDS}
    except (ValueError, KeyError, TypeError):
        return
    try:
        drafts.save(session, actor, fc_id, form, draft_of(fields), fields["note"], version)
    except FactdeskError:  # a viewer, a deleted fact-check, an oversized field: nothing kept
        return
