"""robots.txt rules (RFC 9309), parsed from text and matched without network access.

Matching follows the RFC rather than the standard library's ``urllib.robotparser`` (which
applies the first matching rule and knows no wildcards): the group for our product token
(``factdesk`` from ``factdesk/0.1 (+url)``), else the ``*`` group, is used; among its
rules the LONGEST matching pattern decides, ``allow`` winning a tie; ``*`` matches any run
of characters and a final ``$`` anchors the end. Patterns compile to regular expressions
whose wildcards are atomic groups, so a hostile ``/*a*a*a*a*b`` cannot make matching
backtrack exponentially.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

__all__ = ["ALLOW_ALL", "RobotsRules", "parse_robots", "product_token"]

MAX_RULES = 5_000  # rules kept per file; more is either a mistake or an attack


@dataclass(frozen=True, slots=True)
class _Rule:
    allow: bool
    length: int
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The groups of one robots.txt: user-agent tokens (lower case) to their rules."""

    groups: dict[str, tuple[_Rule, ...]] = field(default_factory=dict)

    def allowed(self, user_agent: str, path: str) -> bool:
        """Whether ``user_agent`` may fetch ``path`` (the URL's path and query)."""
        rules = self.groups.get(product_token(user_agent))
        if rules is None:
            rules = self.groups.get("*", ())
        target = unquote(path or "/")
        if target == "/robots.txt":
            return True
        best: _Rule | None = None
        for rule in rules:
            if rule.pattern.match(target) and (
                best is None
                or rule.length > best.length
                or (rule.length == best.length and rule.allow)
            ):
                best = rule
        return best is None or best.allow


ALLOW_ALL = RobotsRules()


def product_token(user_agent: str) -> str:
    """``"factdesk/0.1 (+https://...)"`` → ``"factdesk"``."""
    token = user_agent.strip().split("/", 1)[0].split(None, 1)
    return token[0].lower() if token else ""


def parse_robots(text: str) -> RobotsRules:
    """Parse robots.txt text; unknown lines and fields are ignored, as the RFC asks."""
    groups: dict[str, list[_Rule]] = {}
    agents: list[str] = []
    in_rules = False
    count = 0
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agent = product_token(value) if value != "*" else "*"
            if agent:
                agents.append(agent)
                groups.setdefault(agent, [])
        elif key in ("allow", "disallow") and agents:
            in_rules = True
            if not value or count >= MAX_RULES:
                continue  # "Disallow:" with no path disallows nothing
            rule = _Rule(key == "allow", len(value), _compile(unquote(value)))
            count += 1
            for agent in agents:
                groups[agent].append(rule)
    return RobotsRules({agent: tuple(rules) for agent, rules in groups.items()})


def _compile(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    if anchored:
        pattern = pattern[:-1]
    head, *rest = pattern.split("*")
    parts = [re.escape(head)]
    if anchored and rest:
        *middle, last = rest
        parts += [f"(?>.*?{re.escape(seg)})" for seg in middle if seg]
        parts.append(f".*{re.escape(last)}")
    else:
        parts += [f"(?>.*?{re.escape(seg)})" for seg in rest if seg]
    if anchored:
        parts.append(r"\Z")
    return re.compile("".join(parts), re.DOTALL)
