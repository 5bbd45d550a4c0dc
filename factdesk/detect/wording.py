"""The key of a claim's wording: what makes two new claims "the same wording".

Detection opens a claim with the text of its first mention; two worker processes that meet
the same new wording at the same moment must open one claim, not two (each process's claim
index has not seen the other's yet). The database enforces it with a unique key on live
claims (``claims.wording_key``); this is the key. Case, Unicode forms and runs of white space
do not make a different wording; anything else does (the static stage decides similarity).
"""

from __future__ import annotations

import hashlib
import unicodedata


def wording_key(text: str) -> str:
    """40 hex characters: SHA-1 of the NFKC, case-folded, white-space-collapsed text."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()
