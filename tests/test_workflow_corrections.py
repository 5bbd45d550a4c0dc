"""The correction rules of the workflow, enumerated: what a typo is, what a verdict change
is, who may publish each, and which links can ever be public."""

from __future__ import annotations

import itertools

import pytest

from factdesk.workflow import (
    NEEDS_NOTE,
    OWN_WORK,
    QUOTE_NOT_FOUND,
    Action,
    Change,
    Content,
    Context,
    Role,
    State,
    classify,
    decide,
    decide_correction,
    may_be_public,
    wording_only,
)

BASE = Content(
    rating_label="False",
    title="Warm lemon water does not cure cancer",
    summary="False: no food or drink has been shown to cure cancer.",
    explanation="The agency's guidance says no food or drink cures cancer.\n\nIt lists the "
    "treatments that work, all chosen from clinical trials over many years of study.",
    evidence=frozenset({"https://a.example/g\x00No food or drink"}),
)


def _with(**changes: object) -> Content:
    fields = {
        "rating_label": BASE.rating_label,
        "title": BASE.title,
        "summary": BASE.summary,
        "explanation": BASE.explanation,
        "evidence": BASE.evidence,
    }
    fields.update(changes)
    return Content(**fields)  # type: ignore[arg-type]


# (what changed, new content, expected kind, a reason that must be given)
CASES = [
    ("nothing", _with(), Change.NONE, None),
    ("whitespace only", _with(summary=BASE.summary.replace(" ", "  ")), Change.NONE, None),
    ("rating", _with(rating_label="True"), Change.SUBSTANTIVE, "rating changed"),
    ("rating, same words", _with(rating_label="Misleading"), Change.SUBSTANTIVE, "rating changed"),
    (
        "evidence added",
        _with(evidence=BASE.evidence | {"https://b.example\x00x"}),
        Change.SUBSTANTIVE,
        "evidence changed",
    ),
    ("evidence removed", _with(evidence=frozenset()), Change.SUBSTANTIVE, "evidence changed"),
    (
        "title typo",
        _with(title="Warm lemon water does not cure cancre"),
        Change.TYPO,
        "title wording",
    ),
    (
        "summary typo",
        _with(summary="False: no food or drink has been shown to cure a cancer."),
        Change.TYPO,
        "summary wording",
    ),
    (
        "explanation typo",
        _with(explanation=BASE.explanation.replace("guidance", "guidence")),
        Change.TYPO,
        "explanation wording",
    ),
    (
        "title turned around (negation removed)",
        _with(title="Warm lemon water does cure cancer"),
        Change.SUBSTANTIVE,
        "title meaning changed",
    ),
    (
        "summary turned around (false to true)",
        _with(summary="True: no food or drink has been shown to cure cancer."),
        Change.SUBSTANTIVE,
        "summary meaning changed",
    ),
    (
        "Vietnamese negation added",
        _with(summary=BASE.summary + " không"),
        Change.SUBSTANTIVE,
        "summary meaning changed",
    ),
    (
        "summary rewritten",
        _with(summary="Partly true: some drinks help patients feel better during treatment."),
        Change.SUBSTANTIVE,
        "summary meaning changed",
    ),
    (
        "summary clause added",
        _with(summary=BASE.summary + " Delaying treatment can let a cancer spread."),
        Change.SUBSTANTIVE,
        "summary meaning changed",
    ),
    (
        "explanation paragraph added",
        _with(explanation=BASE.explanation + "\n\nA new study found the opposite effect."),
        Change.SUBSTANTIVE,
        "explanation meaning changed",
    ),
    (
        "typo plus rating",
        _with(title="Warm lemon water does not cure cancre", rating_label="True"),
        Change.SUBSTANTIVE,
        "title wording",
    ),
]


@pytest.mark.parametrize(("what", "new", "kind", "reason"), CASES, ids=[c[0] for c in CASES])
def test_classify_every_rule(what: str, new: Content, kind: Change, reason: str | None) -> None:
    result = classify(BASE, new)
    assert result.change is kind, (what, result)
    if reason is not None:
        assert reason in result.reasons
    else:
        assert result.reasons == ()


def test_wording_only_budget_scales_with_length() -> None:
    words = [f"w{i:03d}" for i in range(400)]  # 2,000 characters: a budget of 100
    long = " ".join(words)
    fixed = " ".join(w + "x" if i % 20 == 0 else w for i, w in enumerate(words))  # 20 words
    assert wording_only(long, fixed)  # 20 five-letter words touched: 100 characters
    rewritten = " ".join(w + "x" if i % 10 == 0 else w for i, w in enumerate(words))
    assert not wording_only(long, rewritten)
    assert wording_only("Short.", "Shrot.")
    assert not wording_only("It was 12 per cent.", "It was 40 per cent, says the agency.")


EDITOR, SECOND = 1, 2


@pytest.mark.parametrize(
    ("change", "role", "actor", "proposer", "approving", "unverified", "allowed", "target"),
    [
        # proposing: a typo goes out now, a verdict change waits, nothing is refused
        (Change.TYPO, Role.EDITOR, EDITOR, EDITOR, False, 0, True, State.CORRECTED),
        (Change.SUBSTANTIVE, Role.EDITOR, EDITOR, EDITOR, False, 0, True, State.PUBLISHED),
        (Change.NONE, Role.EDITOR, EDITOR, EDITOR, False, 0, False, State.PUBLISHED),
        (Change.TYPO, Role.CHECKER, EDITOR, EDITOR, False, 0, False, State.PUBLISHED),
        (Change.TYPO, Role.EDITOR, EDITOR, EDITOR, False, 1, False, State.PUBLISHED),
        # approving: a second editor only, never the proposer, never over a bad quote
        (Change.SUBSTANTIVE, Role.EDITOR, SECOND, EDITOR, True, 0, True, State.CORRECTED),
        (Change.SUBSTANTIVE, Role.ADMIN, SECOND, EDITOR, True, 0, True, State.CORRECTED),
        (Change.SUBSTANTIVE, Role.EDITOR, EDITOR, EDITOR, True, 0, False, State.CORRECTED),
        (Change.SUBSTANTIVE, Role.CHECKER, SECOND, EDITOR, True, 0, False, State.CORRECTED),
        (Change.SUBSTANTIVE, Role.VIEWER, SECOND, EDITOR, True, 0, False, State.CORRECTED),
        (Change.SUBSTANTIVE, Role.EDITOR, SECOND, EDITOR, True, 2, False, State.CORRECTED),
        (Change.TYPO, Role.EDITOR, SECOND, EDITOR, True, 0, False, State.CORRECTED),
    ],
)
def test_decide_correction_every_rule(
    change: Change,
    role: Role,
    actor: int,
    proposer: int,
    approving: bool,
    unverified: int,
    allowed: bool,
    target: State,
) -> None:
    decision = decide_correction(
        change,
        actor_id=actor,
        role=role,
        proposer_id=proposer,
        approving=approving,
        unverified_quotes=unverified,
    )
    assert decision.allowed is allowed
    assert decision.target is target
    if not allowed:
        assert decision.reason and decision.plain


def test_decide_correction_own_proposal_says_why_plainly() -> None:
    own = decide_correction(
        Change.SUBSTANTIVE, actor_id=EDITOR, role=Role.EDITOR, proposer_id=EDITOR, approving=True
    )
    assert own.plain == OWN_WORK


def test_unverified_quote_blocks_approve_and_publish_only() -> None:
    for action, state in itertools.product(Action, State):
        clean = Context(
            actor_id=SECOND,
            role=Role.EDITOR,
            author_ids=frozenset({EDITOR}),
            reviewer_id=SECOND if action is Action.PUBLISH else None,
            evidence_count=1,
            has_rating=True,
            has_verdict=True,
            note="why",
        )
        dirty = Context(
            **{**{f: getattr(clean, f) for f in clean.__slots__}, "unverified_quotes": 1}
        )
        before, after = decide(state, action, clean), decide(state, action, dirty)
        if action in (Action.APPROVE, Action.PUBLISH) and before.allowed:
            assert not after.allowed and after.plain == QUOTE_NOT_FOUND
        else:
            assert after.allowed == before.allowed


def test_every_refusal_has_a_plain_reason() -> None:
    for action, state, role in itertools.product(Action, State, Role):
        decision = decide(state, action, Context(actor_id=EDITOR, role=role))
        if not decision.allowed:
            assert decision.plain, (action, state, role)
    missing_note = decide(
        State.PUBLISHED,
        Action.WITHDRAW,
        Context(actor_id=EDITOR, role=Role.EDITOR, evidence_count=1),
    )
    assert missing_note.plain == NEEDS_NOTE


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("https://news.example/post/1", True),
        ("http://news.example/p?q=1#x", True),
        ("HTTPS://NEWS.EXAMPLE/", True),
        ("file:///home/desk/feeds/post.html", False),
        ("/relative/path", False),
        ("news.example/post", False),
        ("ftp://news.example/file", False),
        ("javascript:alert(1)", False),
        ("https:///no-host", False),
        ("https://user@/x", False),
        ("https://news.example/a b", False),
        ("", False),
    ],
)
def test_may_be_public_only_absolute_http_urls(url: str, public: bool) -> None:
    assert may_be_public(url) is public
