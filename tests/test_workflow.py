"""Exhaustive tests of the verdict workflow over every (state, action, role) and guard input.

The expected behaviour is written out here independently of the module's tables, so a
change to either shows up as a failure.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from factdesk.errors import PermissionDenied, WorkflowError
from factdesk.workflow import (
    Action,
    Context,
    Permission,
    Role,
    State,
    available_actions,
    decide,
    editable,
    has_permission,
    require,
)

S, A, R = State, Action, Role
AUTHOR, SECOND = 1, 2

# (action) -> {from state: to state}
TRANSITIONS = {
    A.START: {S.NEW: S.RESEARCHING},
    A.EDIT: {S.RESEARCHING: S.RESEARCHING, S.DRAFT: S.DRAFT},
    A.CITE: {S.RESEARCHING: S.RESEARCHING, S.DRAFT: S.DRAFT},
    A.DRAFT: {S.RESEARCHING: S.DRAFT},
    A.SUBMIT: {S.DRAFT: S.IN_REVIEW},
    A.SEND_BACK: {S.IN_REVIEW: S.DRAFT},
    A.APPROVE: {S.IN_REVIEW: S.IN_REVIEW},
    A.PUBLISH: {S.IN_REVIEW: S.PUBLISHED},
    A.CORRECT: {S.PUBLISHED: S.CORRECTED, S.CORRECTED: S.CORRECTED},
    A.WITHDRAW: {S.PUBLISHED: S.WITHDRAWN, S.CORRECTED: S.WITHDRAWN},
}
WORKERS = {R.CHECKER, R.EDITOR, R.ADMIN}
REVIEWERS = {R.EDITOR, R.ADMIN}
ROLES_FOR = {
    A.START: WORKERS,
    A.EDIT: WORKERS,
    A.CITE: WORKERS,
    A.DRAFT: WORKERS,
    A.SUBMIT: WORKERS,
    A.SEND_BACK: REVIEWERS,
    A.APPROVE: REVIEWERS,
    A.PUBLISH: REVIEWERS,
    A.CORRECT: REVIEWERS,
    A.WITHDRAW: REVIEWERS,
}


def expected(state: State, action: Action, ctx: Context) -> tuple[bool, str]:
    """The spec, written plainly: allowed?, and which kind of denial otherwise."""
    if ctx.role not in ROLES_FOR[action]:
        return False, "role"
    if state not in TRANSITIONS[action]:
        return False, "rule"
    evidence_needed = action in (A.DRAFT, A.SUBMIT, A.PUBLISH, A.CORRECT)
    if evidence_needed and ctx.evidence_count == 0:
        return False, "rule"
    if action in (A.SUBMIT, A.PUBLISH, A.CORRECT) and not (ctx.has_rating and ctx.has_verdict):
        return False, "rule"
    if action is A.APPROVE and (ctx.actor_id in ctx.author_ids or ctx.reviewer_id is not None):
        return False, "rule"
    if action is A.PUBLISH and (ctx.reviewer_id is None or ctx.reviewer_id in ctx.author_ids):
        return False, "rule"
    if action in (A.SEND_BACK, A.CORRECT, A.WITHDRAW) and not ctx.note.strip():
        return False, "rule"
    return True, ""


CONTEXTS = [
    Context(
        actor_id=actor,
        role=role,
        author_ids=frozenset({AUTHOR}),
        reviewer_id=reviewer,
        evidence_count=evidence,
        has_rating=rating,
        has_verdict=verdict,
        note=note,
    )
    for role, actor, reviewer, evidence, rating, verdict, note in itertools.product(
        Role,
        (AUTHOR, SECOND),
        (None, AUTHOR, SECOND),
        (0, 2),
        (False, True),
        (False, True),
        ("", "  ", "because"),
    )
]


def test_decide_matches_spec_for_every_combination() -> None:
    checked = 0
    for state, action, ctx in itertools.product(State, Action, CONTEXTS):
        decision = decide(state, action, ctx)
        allowed, kind = expected(state, action, ctx)
        assert decision.allowed == allowed, (state, action, ctx, decision)
        if allowed:
            assert decision.target == TRANSITIONS[action][state]
            assert decision.reason == ""
        else:
            assert decision.denied_by == kind, (state, action, ctx, decision)
            assert decision.target == state
            assert decision.reason
        checked += 1
    assert checked == len(State) * len(Action) * len(CONTEXTS)


def test_decide_never_publishes_without_evidence_or_second_person() -> None:
    for state, ctx in itertools.product(State, CONTEXTS):
        if decide(state, A.PUBLISH, ctx).allowed:
            assert ctx.evidence_count >= 1
            assert ctx.reviewer_id is not None and ctx.reviewer_id not in ctx.author_ids
            assert ctx.role in REVIEWERS


def test_decide_viewer_can_do_nothing() -> None:
    for state, action, ctx in itertools.product(State, Action, CONTEXTS):
        if ctx.role is R.VIEWER:
            assert decide(state, action, ctx).denied_by == "role"


def test_decide_self_approval_refused_with_reason() -> None:
    ctx = Context(actor_id=AUTHOR, role=R.EDITOR, author_ids=frozenset({AUTHOR}), evidence_count=1)
    decision = decide(S.IN_REVIEW, A.APPROVE, ctx)
    assert not decision.allowed
    assert "second person" in decision.reason


def test_decide_publish_without_evidence_names_rule() -> None:
    ctx = Context(
        actor_id=SECOND,
        role=R.EDITOR,
        author_ids=frozenset({AUTHOR}),
        reviewer_id=SECOND,
        has_rating=True,
        has_verdict=True,
    )
    assert "evidence" in decide(S.IN_REVIEW, A.PUBLISH, ctx).reason


def test_require_raises_matching_errors() -> None:
    viewer = Context(actor_id=3, role=R.VIEWER)
    with pytest.raises(PermissionDenied):
        require(S.NEW, A.START, viewer)
    checker = Context(actor_id=3, role=R.CHECKER)
    with pytest.raises(WorkflowError):
        require(S.PUBLISHED, A.START, checker)
    assert require(S.NEW, A.START, checker) is S.RESEARCHING


def test_available_actions_lists_buttons_without_note() -> None:
    ctx = Context(
        actor_id=SECOND,
        role=R.EDITOR,
        author_ids=frozenset({AUTHOR}),
        evidence_count=1,
        has_rating=True,
        has_verdict=True,
    )
    assert available_actions(S.IN_REVIEW, ctx) == [A.SEND_BACK, A.APPROVE]
    assert available_actions(S.PUBLISHED, ctx) == [A.CORRECT, A.WITHDRAW]
    assert available_actions(S.NEW, Context(actor_id=1, role=R.VIEWER)) == []


def test_editable_only_before_review() -> None:
    assert {s for s in State if editable(s)} == {S.RESEARCHING, S.DRAFT}


@pytest.mark.parametrize(
    ("role", "granted"),
    [
        ("viewer", {"read"}),
        ("checker", {"read", "work"}),
        ("editor", {"read", "work", "review", "manage_sources", "see_tips"}),
        ("admin", {p.value for p in Permission}),
        ("nobody", set()),
    ],
)
def test_has_permission_by_role(role: str, granted: set[str]) -> None:
    assert {p.value for p in Permission if has_permission(role, p)} == granted


def test_workflow_module_is_pure() -> None:
    source = Path(__file__).parents[1] / "factdesk" / "workflow.py"
    banned = (
        "sqlalchemy",
        "fastapi",
        "typer",
        "httpx",
        "starlette",
        "factdesk.store",
        "factdesk.web",
        "factdesk.cli",
        "factdesk.jobs",
        "factdesk.publish",
    )
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
            )
            for name in names:
                assert not name.startswith(banned), name
