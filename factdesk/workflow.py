"""The verdict workflow: states, roles, and the rules for moving between them.

Pure rules, no I/O. The web app and the CLI ask :func:`decide` (or :func:`require`) before
they change anything, then apply the answer as one conditional update; they never
re-implement a rule. The state machine::

    new ──start──▶ researching ──draft──▶ draft ──submit──▶ in_review ──publish──▶ published
                                            ▲                   │  ▲                  │
                                            └─────send_back─────┘  └─approve (self)   │
                                                                                     ▼
                                        withdrawn ◀──withdraw── corrected ◀──correct─┘
                                                                (correct again ↺)

Three rules guard publishing: at least one cited (archived) evidence item, every quote
found in its archived copy (or kept by an editor with a recorded reason), and approval by
a second person who is none of the fact-check's authors. A change of content after
approval is impossible because content can only be edited in ``researching`` and
``draft``; sending back clears the approval.

A correction of a published fact-check is judged by :func:`classify`: a typo (wording of
the headline, the short verdict or the explanation, nothing else) may be published by one
editor and is listed in the public history; a substantive change (the rating, the verdict's
meaning, the evidence) becomes a pending version that a second editor must approve
(:func:`decide_correction`) while the published version stays up.

Every refusal carries ``plain``: a short reason in plain words, shown next to the greyed
button (translated by the interface catalogue).

Roles are ordered by trust (``viewer`` < ``checker`` < ``editor`` < ``admin``), and the
non-workflow permissions of the newsroom (manage sources, settings, users, ...) are
listed here too, so every rule about who may do what lives in one module.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

from factdesk.errors import PermissionDenied, WorkflowError


class State(StrEnum):
    """Where a claim's fact-check stands. ``new`` means no fact-check exists yet."""

    NEW = "new"
    RESEARCHING = "researching"
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    CORRECTED = "corrected"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    """Everything a person can do to a fact-check."""

    START = "start"  # take a new claim: creates the fact-check
    EDIT = "edit"  # change rating, verdict, explanation
    CITE = "cite"  # add or remove a cited evidence item
    DRAFT = "draft"  # evidence in hand: start writing the verdict
    SUBMIT = "submit"  # ask for a second review
    SEND_BACK = "send_back"  # reviewer returns it with comments
    APPROVE = "approve"  # second person signs off
    PUBLISH = "publish"
    CORRECT = "correct"  # change a published fact-check, with a public note
    WITHDRAW = "withdraw"  # take a published fact-check down, with a public note


class Role(StrEnum):
    VIEWER = "viewer"
    CHECKER = "checker"
    EDITOR = "editor"
    ADMIN = "admin"


class Permission(StrEnum):
    """Newsroom permissions outside the verdict state machine."""

    READ = "read"  # see the desk: dashboard, queue, claims, evidence, audit log
    WORK = "work"  # take claims, write drafts, cite evidence, comment
    REVIEW = "review"  # approve, send back, publish, correct, withdraw
    MANAGE_SOURCES = "manage_sources"  # add feeds, see quarantine details
    SEE_TIPS = "see_tips"  # tipline submissions, including optional contact details
    MANAGE_SETTINGS = "manage_settings"  # rating scale, thresholds, languages
    MANAGE_USERS = "manage_users"


ROLE_RANK: dict[Role, int] = {Role.VIEWER: 0, Role.CHECKER: 1, Role.EDITOR: 2, Role.ADMIN: 3}

# The least-trusted role that holds each permission; every higher role holds it too.
PERMISSION_MIN_ROLE: dict[Permission, Role] = {
    Permission.READ: Role.VIEWER,
    Permission.WORK: Role.CHECKER,
    Permission.REVIEW: Role.EDITOR,
    Permission.MANAGE_SOURCES: Role.EDITOR,
    Permission.SEE_TIPS: Role.EDITOR,
    Permission.MANAGE_SETTINGS: Role.ADMIN,
    Permission.MANAGE_USERS: Role.ADMIN,
}

# action -> (states it applies in, target state or None for "stays", permission needed)
_RULES: dict[Action, tuple[frozenset[State], State | None, Permission]] = {
    Action.START: (frozenset({State.NEW}), State.RESEARCHING, Permission.WORK),
    Action.EDIT: (frozenset({State.RESEARCHING, State.DRAFT}), None, Permission.WORK),
    Action.CITE: (frozenset({State.RESEARCHING, State.DRAFT}), None, Permission.WORK),
    Action.DRAFT: (frozenset({State.RESEARCHING}), State.DRAFT, Permission.WORK),
    Action.SUBMIT: (frozenset({State.DRAFT}), State.IN_REVIEW, Permission.WORK),
    Action.SEND_BACK: (frozenset({State.IN_REVIEW}), State.DRAFT, Permission.REVIEW),
    Action.APPROVE: (frozenset({State.IN_REVIEW}), None, Permission.REVIEW),
    Action.PUBLISH: (frozenset({State.IN_REVIEW}), State.PUBLISHED, Permission.REVIEW),
    Action.CORRECT: (
        frozenset({State.PUBLISHED, State.CORRECTED}),
        State.CORRECTED,
        Permission.REVIEW,
    ),
    Action.WITHDRAW: (
        frozenset({State.PUBLISHED, State.CORRECTED}),
        State.WITHDRAWN,
        Permission.REVIEW,
    ),
}

# States whose fact-check the public may see.
PUBLIC_STATES = frozenset({State.PUBLISHED, State.CORRECTED, State.WITHDRAWN})
# States in which someone is still working on the fact-check.
ACTIVE_STATES = frozenset({State.RESEARCHING, State.DRAFT, State.IN_REVIEW})


def has_permission(role: Role | str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (unknown roles hold nothing)."""
    try:
        rank = ROLE_RANK[Role(role)]
    except ValueError:
        return False
    return rank >= ROLE_RANK[PERMISSION_MIN_ROLE[permission]]


@dataclass(frozen=True, slots=True)
class Context:
    """What the rules need to know about the actor and the fact-check.

    ``author_ids`` holds everyone who started, edited or cited evidence for the fact-check:
    none of them may approve it. ``reviewer_id`` is the approver, if any.
    """

    actor_id: int
    role: Role
    author_ids: frozenset[int] = frozenset()
    reviewer_id: int | None = None
    evidence_count: int = 0
    has_rating: bool = False
    has_verdict: bool = False
    note: str = ""
    # Citations whose quote is not in the archived copy and that no editor has kept with a
    # recorded reason: they block approval and publishing.
    unverified_quotes: int = 0


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may this actor do this now?": the state afterwards, or why not.

    ``denied_by`` is ``"role"`` when the actor's role is the obstacle (a permission
    problem), ``"rule"`` when the state or a guard is (a workflow problem). ``plain`` says
    the same as ``reason`` in words for the person looking at a greyed button.
    """

    allowed: bool
    target: State
    reason: str = ""
    denied_by: str = ""
    plain: str = ""


# Plain reasons, one per guard (the interface catalogue translates them).
NEEDS_SOURCE = "needs one cited source"
NEEDS_RATING = "needs a rating"
NEEDS_VERDICT = "needs a short verdict"
OWN_WORK = "you wrote this version: another editor must approve"
ALREADY_APPROVED = "already approved"
NEEDS_APPROVAL = "needs another editor's approval first"
APPROVER_IS_AUTHOR = "the approver helped write it: another editor must approve"
QUOTE_NOT_FOUND = "a quote is not in its archived copy: fix it, or an editor records why it stays"
NEEDS_NOTE = "write a note saying why"
WRONG_STAGE = "not possible at this stage"
ONLY_EDITORS = "only an editor can do this"
ONLY_CHECKERS = "only a checker or an editor can do this"
_PLAIN_GUARDS = {
    "needs at least one cited evidence item": NEEDS_SOURCE,
    "needs a rating": NEEDS_RATING,
    "needs a short verdict": NEEDS_VERDICT,
    "an author cannot approve their own fact-check; a second person must": OWN_WORK,
    "already approved": ALREADY_APPROVED,
    "needs approval by a second person before publishing": NEEDS_APPROVAL,
    "the approver is an author; a second person must approve": APPROVER_IS_AUTHOR,
    "a quote is not found in its archived copy; fix the citation or record an override reason": (
        QUOTE_NOT_FOUND
    ),
    "needs a note saying why": NEEDS_NOTE,
}


def _guards(action: Action, ctx: Context) -> str:
    """The first guard ``action`` fails, as a reason; empty when all pass."""
    needs_content = action in (Action.SUBMIT, Action.PUBLISH, Action.CORRECT)
    if action in (Action.DRAFT, Action.SUBMIT, Action.PUBLISH, Action.CORRECT):
        if ctx.evidence_count < 1:
            return "needs at least one cited evidence item"
    if needs_content and not ctx.has_rating:
        return "needs a rating"
    if needs_content and not ctx.has_verdict:
        return "needs a short verdict"
    if action in (Action.APPROVE, Action.PUBLISH) and ctx.unverified_quotes > 0:
        return "a quote is not found in its archived copy; fix the citation or record an override reason"
    if action is Action.APPROVE:
        if ctx.actor_id in ctx.author_ids:
            return "an author cannot approve their own fact-check; a second person must"
        if ctx.reviewer_id is not None:
            return "already approved"
    if action is Action.PUBLISH:
        if ctx.reviewer_id is None:
            return "needs approval by a second person before publishing"
        if ctx.reviewer_id in ctx.author_ids:
            return "the approver is an author; a second person must approve"
    if action in (Action.SEND_BACK, Action.CORRECT, Action.WITHDRAW) and not ctx.note.strip():
        return "needs a note saying why"
    return ""


def decide(state: State, action: Action, ctx: Context) -> Decision:
    """Whether ``ctx`` may apply ``action`` to a fact-check in ``state``, and the result.

    The role is checked first, so a viewer learns "not allowed" rather than which guard
    would have stopped them.
    """
    states, target, permission = _RULES[action]
    if not has_permission(ctx.role, permission):
        only = ONLY_EDITORS if permission is Permission.REVIEW else ONLY_CHECKERS
        return Decision(False, state, f"role {ctx.role.value} may not {action.value}", "role", only)
    if state not in states:
        return Decision(
            False,
            state,
            f"cannot {action.value} a fact-check in state {state.value}",
            "rule",
            WRONG_STAGE,
        )
    reason = _guards(action, ctx)
    if reason:
        return Decision(
            False, state, f"cannot {action.value}: {reason}", "rule", _PLAIN_GUARDS[reason]
        )
    return Decision(True, target if target is not None else state)


def require(state: State, action: Action, ctx: Context) -> State:
    """The state after ``action``; raises PermissionDenied or WorkflowError if not allowed."""
    decision = decide(state, action, ctx)
    if decision.allowed:
        return decision.target
    if decision.denied_by == "role":
        raise PermissionDenied(decision.reason)
    raise WorkflowError(decision.reason)


def available_actions(state: State, ctx: Context) -> list[Action]:
    """Actions whose role and state rules pass, ignoring guards that a form supplies
    (the note). The UI shows these as buttons; guards still apply when pressed."""
    with_note = Context(
        actor_id=ctx.actor_id,
        role=ctx.role,
        author_ids=ctx.author_ids,
        reviewer_id=ctx.reviewer_id,
        evidence_count=ctx.evidence_count,
        has_rating=ctx.has_rating,
        has_verdict=ctx.has_verdict,
        note=ctx.note or "-",
        unverified_quotes=ctx.unverified_quotes,
    )
    return [a for a in Action if decide(state, a, with_note).allowed]


def states_for(action: Action) -> frozenset[State]:
    """The states in which ``action`` can apply at all (whoever asks)."""
    return _RULES[action][0]


def editable(state: State) -> bool:
    """Whether content (rating, verdict, evidence) may change in ``state``."""
    return state in _RULES[Action.EDIT][0]


# --- corrections ---------------------------------------------------------------------------


class Change(StrEnum):
    """What a correction of a published fact-check is, which decides who may publish it."""

    NONE = "none"  # nothing changed: nothing to publish
    TYPO = "typo"  # wording only: one editor publishes it, listed in the public history
    SUBSTANTIVE = "substantive"  # rating, meaning or evidence: a second editor approves


@dataclass(frozen=True, slots=True)
class Content:
    """The parts of a fact-check a correction can change. ``evidence`` identifies the cited
    sources (their URL and quote), so adding, removing or requoting one is a change."""

    rating_label: str = ""
    title: str = ""
    summary: str = ""
    explanation: str = ""
    evidence: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Classification:
    """:func:`classify`'s answer: the kind of change, and why (one reason per field)."""

    change: Change
    reasons: tuple[str, ...] = ()


# Words that turn a statement around, in the desk's languages: adding or removing one is a
# change of meaning however few letters it takes.
_POLARITY = frozenset(
    """not no never none nothing false true untrue incorrect correct wrong right misleading
    fake real denied confirmed isn't aren't wasn't weren't doesn't don't didn't cannot can't
    won't không chưa chẳng đừng sai đúng thật giả bịa""".split()
)
_WORD = re.compile(r"\w+(?:'\w+)?", re.UNICODE)
# A wording fix touches at most this many characters, and at most this share of the text.
TYPO_MAX_CHARS = 12
TYPO_MAX_SHARE = 0.05


def _polarity(text: str) -> list[str]:
    return sorted(w for w in _WORD.findall(text.lower()) if w in _POLARITY)


def _changed_chars(old: str, new: str) -> int:
    """Characters of the words inserted, deleted or replaced between ``old`` and ``new``
    (compared word by word, so a fixed letter counts its word, not a misaligned run)."""
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(
        max(len(" ".join(a[i1:i2])), len(" ".join(b[j1:j2])))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    )


def wording_only(old: str, new: str) -> bool:
    """Whether ``new`` is ``old`` with its wording fixed: a few characters (at most
    TYPO_MAX_CHARS, and at most TYPO_MAX_SHARE of the text when that is longer), and no
    word that turns the statement around (not, false, không, sai...) added or removed."""
    old, new = " ".join(old.split()), " ".join(new.split())
    if old == new:
        return True
    if _polarity(old) != _polarity(new):
        return False
    budget = max(TYPO_MAX_CHARS, int(TYPO_MAX_SHARE * max(len(old), len(new))))
    return _changed_chars(old, new) <= budget


def classify(old: Content, new: Content) -> Classification:
    """Judge a correction from ``old`` (published) to ``new``.

    Substantive when the rating changes, when the evidence changes, or when the headline,
    the short verdict or the explanation changes beyond its wording (:func:`wording_only`);
    a typo when only wording changes; none when nothing does.
    """
    reasons: list[str] = []
    substantive = False
    if old.rating_label.strip() != new.rating_label.strip():
        reasons.append("rating changed")
        substantive = True
    if old.evidence != new.evidence:
        reasons.append("evidence changed")
        substantive = True
    for name in ("title", "summary", "explanation"):
        before, after = getattr(old, name), getattr(new, name)
        if " ".join(before.split()) == " ".join(after.split()):
            continue
        if wording_only(before, after):
            reasons.append(f"{name} wording")
        else:
            reasons.append(f"{name} meaning changed")
            substantive = True
    if substantive:
        return Classification(Change.SUBSTANTIVE, tuple(reasons))
    if reasons:
        return Classification(Change.TYPO, tuple(reasons))
    return Classification(Change.NONE)


def decide_correction(
    change: Change,
    *,
    actor_id: int,
    role: Role,
    proposer_id: int | None,
    approving: bool,
    unverified_quotes: int = 0,
) -> Decision:
    """May ``actor_id`` publish a correction of kind ``change`` now?

    ``approving`` is False when the actor proposes the correction (a typo publishes at once,
    a substantive change only becomes pending), True when they approve a pending one, which
    nobody may do for a correction they proposed. The result's target is CORRECTED when it
    may go public now, the unchanged PUBLISHED when it waits for approval.
    """
    state = State.CORRECTED if approving else State.PUBLISHED
    if not has_permission(role, Permission.REVIEW):
        return Decision(False, state, f"role {role.value} may not correct", "role", ONLY_EDITORS)
    if change is Change.NONE:
        return Decision(False, state, "cannot correct: nothing changed", "rule", "nothing changed")
    if unverified_quotes > 0:
        return Decision(
            False,
            state,
            "cannot correct: a quote is not found in its archived copy",
            "rule",
            QUOTE_NOT_FOUND,
        )
    if approving:
        if change is not Change.SUBSTANTIVE:
            return Decision(
                False, state, "only a verdict change waits for approval", "rule", WRONG_STAGE
            )
        if proposer_id is not None and proposer_id == actor_id:
            return Decision(
                False,
                state,
                "cannot approve a correction you proposed; a second person must",
                "rule",
                OWN_WORK,
            )
        return Decision(True, State.CORRECTED)
    if change is Change.TYPO:
        return Decision(True, State.CORRECTED)
    return Decision(True, State.PUBLISHED)  # substantive: proposed, waits for a second editor


# --- where a claim appeared ----------------------------------------------------------------


def may_be_public(url: str) -> bool:
    """Whether a place a claim appeared may ever be shown to the public and put in
    ClaimReview: an absolute http(s) URL with a host. A file path, a ``file://`` or
    relative link, or anything else stays internal (an editor still has to choose to
    publish an eligible one: links from ingested feeds are internal until then)."""
    scheme, sep, rest = url.strip().partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return False
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    return bool(host.strip()) and not any(c.isspace() for c in url.strip())
