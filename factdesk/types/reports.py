"""Reports of the desk's operations, for the CLI and the doctor to print."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class IngestReport:
    """What one ingestion did; printed by the CLI and returned by the API."""

    origin: str
    kind: str
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    fact_checks_added: int = 0
    fact_checks_updated: int = 0
    not_modified: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for people: the counts that are not zero."""
        if self.not_modified:
            return f"{self.origin}: not modified since last fetch"
        counts = [
            (self.added, "new items"),
            (self.updated, "items updated"),
            (self.fact_checks_added, "new fact-checks"),
            (self.fact_checks_updated, "fact-checks updated"),
            (self.duplicates, "already known"),
            (self.quarantined, "quarantined"),
        ]
        parts = [f"{n} {label}" for n, label in counts if n]
        return f"{self.origin}: " + (", ".join(parts) or "nothing to import")


@dataclass
class DetectReport:
    """What one ``factdesk detect`` run did."""

    items: int = 0
    sentences: int = 0
    mentions: int = 0
    new_claims: int = 0
    updated_claims: int = 0
    matched_claims: int = 0
    alerts: int = 0
    linked_claims: int = 0  # claims encoded by the linking stage in this run
    merged_claims: int = 0  # of them, merged into another claim (translation, rewording)
    waiting_claims: int = 0  # claims not linked yet (budget spent)
    skipped_batches: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.items} items, {self.mentions} mentions, {self.new_claims} new claims, "
            f"{self.updated_claims} claims with new mentions, {self.matched_claims} matched "
            f"to fact-checks, {self.alerts} alerts, {self.linked_claims} linked "
            f"({self.merged_claims} merged, {self.waiting_claims} waiting) ({self.seconds:.1f}s)"
        )


@dataclass
class ExportReport:
    """What a static export of the public site wrote, for the CLI to print."""

    directory: str
    fact_checks: int = 0
    archived_copies: int = 0
    files: int = 0
    languages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.directory}: {self.fact_checks} fact-checks, {self.archived_copies} archived "
            f"copies, feeds for {', '.join(self.languages) or 'no language'}; {self.files} files"
        )


@dataclass(frozen=True, slots=True)
class Check:
    """One line of ``factdesk doctor``: what was checked, whether it is fine, the detail."""

    name: str
    ok: bool
    detail: str
