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

Two rules guard publishing: at least one cited (archived) evidence item, and approval by
a second person who is none of the fact-check's authors. A change of content after
approval is impossible because content can only be edited in ``researching`` and
``draft``; sending back clears the approval.

Roles are ordered by trust (``viewer`` < ``checker`` < ``editor`` < ``admin``), and the
non-workflow permissions of the newsroom (manage sources, settings, users, ...) are
listed here too, so every rule about who may do what lives in one module.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may this actor do this now?": the state afterwards, or why not.

    ``denied_by`` is ``"role"`` when the actor's role is the obstacle (a permission
    problem), ``"rule"`` when the state or a guard is (a workflow problem).
    """

    allowed: bool
    target: State
    reason: str = ""
    denied_by: str = ""


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
        return Decision(
            False, state, f"role {ctx.role.value} may not {action.value}", denied_by="role"
        )
    if state not in states:
        return Decision(
            False, state, f"cannot {action.value} a fact-check in state {state.value}", "rule"
        )
    reason = _guards(action, ctx)
    if reason:
        return Decision(False, state, f"cannot {action.value}: {reason}", denied_by="rule")
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
    )
    return [a for a in Action if decide(state, a, with_note).allowed]


def states_for(action: Action) -> frozenset[State]:
    """The states in which ``action`` can apply at all (whoever asks)."""
    return _RULES[action][0]


def editable(state: State) -> bool:
    """Whether content (rating, verdict, evidence) may change in ``state``."""
    return state in _RULES[Action.EDIT][0]
