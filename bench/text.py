"""Text pipeline speed (and, with flags, the quality checks behind factdesk.text's choices).

Default run — speed, sentences/s of language id + sentence splitting + tokenisation on
generated Vietnamese and English posts (own vocabulary, with abbreviations, numbers, URLs,
emoji, bullets), each stage timed, in one process:
  * factdesk: detect_language (lingua restricted to vi/en + Vietnamese shortcuts),
    split_sentences, tokenize (vi syllables + bigrams + accentless twins; en stems);
  * baseline "naive": lingua over all 75 languages (no restriction, no shortcut), a
    ``(?<=[.!?])\\s+`` regex split, ``\\w+`` lower-case words.
  * ablation: lingua restricted to vi/en without the shortcuts; detect_languages_batch.
  * identify_languages_batch (a record's true language, what ingest runs) on the same posts
    and on bench/pipeline.py's synthetic posts, against lingua over all 75 languages; its
    remembered answers are forgotten before every timed pass (a cold start). To compare
    two versions of factdesk, run this script twice, PYTHONPATH choosing the code: the
    baseline is the same in both runs.

Flags that read the public dev data in /work/shared/data (never shipped with factdesk):
  --langid-accuracy   accuracy of detect_language (restricted to vi/en), identify_language
                      (a record's true language, among all lingua knows) and plain
                      restricted lingua on Tatoeba vi/en, ReINTEL posts, CheckThat! English,
                      Spanish, Arabic and Dutch tweets, plus variants made from them
                      (English with Vietnamese names inserted; Vietnamese with accents
                      stripped from a share of the words, lower-cased English)
  --tone-styles       how often each tone-mark placement (hòa / hoà) occurs in vi corpora
  --accentless-search vnPara paraphrase retrieval (BM25), accented and accent-stripped
                      queries, tokenize(accentless=True) vs accentless=False

Usage:  .venv/bin/python bench/text.py [--docs 2000] [--posts 2000] [--langid-accuracy] [--tone-styles]
        [--accentless-search] [--data /work/shared/data]
Prints one line per measurement and, last, one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from lingua import IsoCode639_1, LanguageDetectorBuilder

from factdesk.text import detect_language, detect_languages_batch, split_sentences, tokenize
from factdesk.text import langid as langid_module
from factdesk.text.langid import identify_language, identify_languages_batch
from factdesk.text.normalize import strip_accents

VI_SUBJECTS = [
    "Bộ Y tế",
    "PGS.TS. Trần Văn Hùng",
    "UBND TP. Hà Nội",
    "Người dân Q. 1",
    "Ông Nguyễn Văn A",
    "Cơ quan chức năng",
]
VI_VERBS = ["khẳng định", "cho biết", "bác bỏ thông tin", "xác nhận", "cảnh báo rằng", "thông báo"]
VI_OBJECTS = [
    "giá xăng sẽ tăng 1.000 đồng mỗi lít",
    "uống nước chanh không chữa được bệnh",
    "tỷ lệ lạm phát là 3,5% trong năm 2023",
    "khoảng 1.200.000 người bị ảnh hưởng, v.v.",
    "thông tin trên mạng xã hội là sai sự thật",
    "xem chi tiết tại https://moh.gov.vn/tin-tuc/a.b.html",
]
VI_TAILS = [".", "!", "...", " 😡😡", "?", ". 👍"]
EN_SUBJECTS = [
    "The ministry",
    "Dr. Jane Smith",
    "U.S. officials",
    "Mr. Tran",
    "The city of Da Nang",
    "Experts",
]
EN_VERBS = ["said", "denied that", "confirmed that", "warned that", "claimed that", "reported that"]
EN_OBJECTS = [
    "fuel prices will rise by 1,000 dong per litre",
    "lemon water does not cure the disease",
    "inflation was 3.5% in 2023, e.g. in food prices",
    "about 1,200,000 people were affected",
    "the viral post is false, see https://example.org/fact.check",
    "the report published at 5 p.m. was wrong",
]
EN_TAILS = [".", "!", "...", " 😡😡", "?", "."]


def generate(docs: int, seed: int = 11) -> list[str]:
    """Synthetic posts, alternating vi and en, 2-8 sentences, some as bullet lines."""
    rng = random.Random(seed)
    out = []
    for n in range(docs):
        vi = n % 2 == 0
        subjects, verbs, objects, tails = (
            (VI_SUBJECTS, VI_VERBS, VI_OBJECTS, VI_TAILS)
            if vi
            else (EN_SUBJECTS, EN_VERBS, EN_OBJECTS, EN_TAILS)
        )
        sentences = [
            f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}{rng.choice(tails)}"
            for _ in range(rng.randint(2, 8))
        ]
        if rng.random() < 0.3:
            out.append("\n".join(f"- {s}" for s in sentences))
        else:
            out.append(" ".join(sentences))
    return out


def _compare(
    mine: Callable[[], int], base: Callable[[], int], repeat: int = 5
) -> tuple[float, int, float, int]:
    """Best of ``repeat`` runs of each, interleaved so that both see the same load.

    The machine is shared: the minimum is the least disturbed run.
    """
    best_mine = best_base = math.inf
    n_mine = n_base = 0
    for _ in range(repeat):
        for which in ("mine", "base"):
            start = time.perf_counter()
            if which == "mine":
                n_mine = mine()
                best_mine = min(best_mine, time.perf_counter() - start)
            else:
                n_base = base()
                best_base = min(best_base, time.perf_counter() - start)
    return best_mine, n_mine, best_base, n_base


def _cold() -> None:
    """Forget identify_languages_batch's remembered answers (a version without them: no-op)."""
    memory = getattr(langid_module, "_IDENTIFIED", None)
    if memory is not None:
        memory.clear()


def _identify_cold(texts: list[str]) -> int:
    _cold()
    return len(identify_languages_batch(texts))


def pipeline_posts(count: int, seed: int = 16) -> list[str]:
    """bench/pipeline.py's synthetic posts (claims in recurring wordings, chatter, vi and en)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pipeline

    rng = random.Random(seed)
    words = pipeline.vocabulary()
    return [pipeline.post(rng, words) for _ in range(count)]


def speed(docs: list[str], posts: list[str]) -> dict[str, float]:
    restricted_plain = LanguageDetectorBuilder.from_iso_codes_639_1(
        *[IsoCode639_1.from_str(c) for c in ("vi", "en")]
    ).build()
    everything = LanguageDetectorBuilder.from_all_languages().build()
    # Warm up: lingua loads its models lazily.
    for text in docs[:20]:
        detect_language(text)
        restricted_plain.detect_language_of(text)
        everything.detect_language_of(text)
    naive_split = re.compile(r"(?<=[.!?])\s+")
    naive_word = re.compile(r"\w+")

    def ours() -> int:
        n = 0
        for text in docs:
            language = detect_language(text)
            for s in split_sentences(text, language):
                tokenize(s.text, language)
                n += 1
        return n

    def naive() -> int:
        n = 0
        for text in docs:
            everything.detect_language_of(text)
            for s in naive_split.split(text):
                naive_word.findall(s.lower())
                n += 1
        return n

    figures: dict[str, float] = {}
    t_ours, n_ours, t_naive, n_naive = _compare(ours, naive, repeat=3)
    figures["pipeline_sentences_per_s"] = n_ours / t_ours
    figures["naive_pipeline_sentences_per_s"] = n_naive / t_naive
    figures["pipeline_ratio"] = (
        figures["pipeline_sentences_per_s"] / figures["naive_pipeline_sentences_per_s"]
    )
    print(
        f"pipeline  factdesk {n_ours / t_ours:10.0f} sentences/s   naive {n_naive / t_naive:10.0f} sentences/s   ratio {figures['pipeline_ratio']:.2f}x"
    )

    sentences = [s.text for text in docs for s in split_sentences(text)]
    stages: list[tuple[str, Callable[[], int], Callable[[], int]]] = [
        (
            "split",
            lambda: sum(len(split_sentences(t)) for t in docs),
            lambda: sum(len(naive_split.split(t)) for t in docs),  # counts its own sentences
        ),
        (
            "tokenize",
            lambda: sum(
                1 for s in sentences if tokenize(s, "vi" if _has_vi(s) else "en") is not None
            ),
            lambda: sum(1 for s in sentences if naive_word.findall(s.lower()) is not None),
        ),
        (
            "langid",
            lambda: sum(1 for t in docs if detect_language(t) or True),
            lambda: sum(1 for t in docs if everything.detect_language_of(t) or True),
        ),
        (
            "langid-no-shortcut",  # restricted lingua alone: what the shortcuts add
            lambda: sum(1 for t in docs if detect_language(t) or True),
            lambda: sum(1 for t in docs if restricted_plain.detect_language_of(t) or True),
        ),
        (
            "langid-batch",  # detect_languages_batch vs one call per text
            lambda: len(detect_languages_batch(docs)),
            lambda: sum(1 for t in docs if detect_language(t) or True),
        ),
        (
            "identify-batch",  # a record's true language, as ingest runs it
            lambda: _identify_cold(docs),
            lambda: sum(1 for t in docs if everything.detect_language_of(t) or True),
        ),
        (
            "identify-batch-pipeline",  # ... on bench/pipeline.py's posts
            lambda: _identify_cold(posts),
            lambda: sum(1 for t in posts if everything.detect_language_of(t) or True),
        ),
    ]
    for name, mine, base in stages:
        t_mine, n_mine, t_base, n_base = _compare(mine, base)
        unit = "docs" if name.startswith(("langid", "identify")) else "sentences"
        ratio = (n_mine / t_mine) / (n_base / t_base)
        figures[f"{name}_per_s"] = n_mine / t_mine
        figures[f"{name}_baseline_per_s"] = n_base / t_base
        figures[f"{name}_ratio"] = ratio
        print(
            f"{name:20} factdesk {n_mine / t_mine:10.0f} {unit}/s   baseline {n_base / t_base:10.0f} {unit}/s   ratio {ratio:.2f}x"
        )
    return figures


def _has_vi(text: str) -> bool:
    return any(ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ" for ch in text.lower())


# --- quality checks on public dev data -----------------------------------------------------


def _lines(path: Path, limit: int) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[:limit]


def _reintel(data: Path, limit: int) -> list[str]:
    csv.field_size_limit(1 << 30)
    with (data / "reintel-vlsp2020-vi" / "reintel_public_train_dev.csv").open(
        encoding="utf-8"
    ) as f:
        posts = [row["post_message"] for row in csv.DictReader(f)]
    return [p for p in posts if "<URL>" not in p and "<EMAIL>" not in p][:limit]


def langid_accuracy(data: Path) -> dict[str, float]:
    rng = random.Random(3)
    vi = _lines(data / "tatoeba-vi-en" / "tatoeba.vie-eng.vie", 1000)
    en = _lines(data / "tatoeba-vi-en" / "tatoeba.vie-eng.eng", 1000)
    with (data / "checkthat2024-task1-en" / "CT24_checkworthy_english_dev.tsv").open(
        encoding="utf-8"
    ) as f:
        ct24 = [row["Text"] for row in csv.DictReader(f, delimiter="\t")]
    names = [
        "Nguyễn Xuân Phúc",
        "Trần Quốc Vượng",
        "Phạm Minh Chính",
        "Đà Nẵng",
        "Hồ Chí Minh",
        "Lê Đức Thọ",
        "Huế",
    ]

    def with_names(sentence: str) -> str:
        words = sentence.split()
        for _ in range(rng.choice([1, 2])):
            words.insert(rng.randrange(len(words) + 1), rng.choice(names))
        return " ".join(words)

    def partly_stripped(sentence: str, share: float) -> str:
        return " ".join(strip_accents(w) if rng.random() < share else w for w in sentence.split())

    def tweets(folder: str, name: str, limit: int = 500) -> list[str]:
        with (data / folder / name).open(encoding="utf-8") as f:
            rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            return [row["tweet_text"] for row in rows][:limit]

    sets = {
        "checkthat24-es": (
            tweets("checkthat2024-task1-es", "CT24_checkworthy_spanish_dev.tsv"),
            "es",
        ),
        "checkthat24-ar": (
            tweets("checkthat2024-task1-ar", "CT24_checkworthy_arabic_dev.tsv"),
            "ar",
        ),
        "checkthat24-nl": (
            tweets("checkthat2024-task1-nl", "CT24_checkworthy_dutch_dev.tsv"),
            "nl",
        ),
        "tatoeba-vi": (vi, "vi"),
        "reintel-vi-posts": (_reintel(data, 1000), "vi"),
        "tatoeba-en": (en, "en"),
        "tatoeba-en-lowercase": ([s.lower() for s in en], "en"),
        "checkthat24-en": (ct24, "en"),
        "tatoeba-en+vi-names": ([with_names(s) for s in en], "en"),
        "tatoeba-vi-60%-unaccented": ([partly_stripped(s, 0.6) for s in vi], "vi"),
        "tatoeba-vi-unaccented": ([strip_accents(s) for s in vi], "vi"),
    }
    plain = langid_module._detector(("en", "vi"))
    figures: dict[str, float] = {}
    for name, (texts, gold) in sets.items():
        ours = sum(detect_language(t) == gold for t in texts) / len(texts)
        base = 0
        for t in texts:
            found = plain.detect_language_of(t)
            base += found is not None and langid_module._code(found) == gold
        singles = [identify_language(t) for t in texts]
        true = sum(found == gold for found in singles) / len(texts)
        _cold()
        batch = identify_languages_batch(texts)
        figures[f"langid_{name}_identify_batch_accuracy"] = sum(
            found == gold for found in batch
        ) / len(texts)
        if batch != singles:
            print(f"  {name}: identify_languages_batch differs from identify_language")
        figures[f"langid_{name}_accuracy"] = ours
        figures[f"langid_{name}_identify_accuracy"] = true
        figures[f"langid_{name}_lingua_vi_en_accuracy"] = base / len(texts)
        print(
            f"langid {name:28} n={len(texts):5}  detect (vi/en) {ours:.3f}   "
            f"identify (all) {true:.3f}   lingua vi+en {base / len(texts):.3f}"
        )
    return figures


def tone_styles(data: Path) -> dict[str, float]:
    tones = "\u0300\u0301\u0303\u0309\u0323"
    first = re.compile(f"(?<!q)(?:o[{tones}]a|o[{tones}]e|u[{tones}]y)(?!\\w)")
    second = re.compile(f"(?<!q)(?:oa[{tones}]|oe[{tones}]|uy[{tones}])(?!\\w)")
    texts = {
        "reintel": "\n".join(_reintel(data, 10**6)),
        "vnpara": (data / "vnpara-vi" / "Sentences1.txt").read_text(encoding="utf-8"),
        "tatoeba": (data / "tatoeba-vi-en" / "tatoeba.vie-eng.vie").read_text(encoding="utf-8"),
    }
    figures: dict[str, float] = {}
    for name, text in texts.items():
        decomposed = unicodedata.normalize("NFD", text.lower())
        a, b = len(first.findall(decomposed)), len(second.findall(decomposed))
        figures[f"tone_{name}_first_vowel"] = a
        figures[f"tone_{name}_second_vowel"] = b
        print(f"tone placement {name:8}  hòa/thúy/khỏe {a:6}   hoà/thuý/khoẻ {b:6}")
    return figures


def _bm25_top1(docs: list[list[str]], queries: list[list[str]]) -> list[int]:
    """Plain BM25 (k1=1.2, b=0.75): index of the best document for each query."""
    postings: dict[str, list[tuple[int, int]]] = {}
    for i, doc in enumerate(docs):
        for term, tf in Counter(doc).items():
            postings.setdefault(term, []).append((i, tf))
    avg = sum(len(d) for d in docs) / len(docs)
    n = len(docs)
    best = []
    for query in queries:
        scores: dict[int, float] = {}
        for term in set(query):
            plist = postings.get(term, [])
            if not plist:
                continue
            idf = math.log(1 + (n - len(plist) + 0.5) / (len(plist) + 0.5))
            for i, tf in plist:
                norm = tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(docs[i]) / avg))
                scores[i] = scores.get(i, 0.0) + idf * norm
        best.append(max(scores, key=lambda i: (scores[i], -i)) if scores else -1)
    return best


def accentless_search(data: Path) -> dict[str, float]:
    folder = data / "vnpara-vi"
    s1 = _lines(folder / "Sentences1.txt", 10**6)
    s2 = _lines(folder / "Sentences2.txt", 10**6)
    labels = [line.strip().rstrip(",") for line in _lines(folder / "Labels.txt", 10**6)]
    docs = sorted(set(s2))
    where = {d: i for i, d in enumerate(docs)}
    pairs = [(a, where[b]) for a, b, y in zip(s1, s2, labels, strict=True) if y == "1" and a != b]
    figures: dict[str, float] = {}
    for accentless in (True, False):
        index = [tokenize(d, "vi", accentless=accentless) for d in docs]
        for query_kind, make in (("accented", lambda s: s), ("unaccented", strip_accents)):
            queries = [tokenize(make(a), "vi", accentless=accentless) for a, _ in pairs]
            top = _bm25_top1(index, queries)
            p1 = sum(t == gold for t, (_, gold) in zip(top, pairs, strict=True)) / len(pairs)
            figures[f"vnpara_p1_{query_kind}_queries_accentless_{accentless}"] = p1
            print(
                f"vnPara P@1  {query_kind:10} queries  accentless={accentless!s:5}  {p1:.3f}  (n={len(pairs)}, docs={len(docs)})"
            )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=2000, help="generated posts for the speed run")
    parser.add_argument("--posts", type=int, default=2000, help="bench/pipeline.py posts")
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--langid-accuracy", action="store_true")
    parser.add_argument("--tone-styles", action="store_true")
    parser.add_argument("--accentless-search", action="store_true")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed run")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    if not args.no_speed:
        figures.update(speed(generate(args.docs), pipeline_posts(args.posts)))
    if args.langid_accuracy:
        figures.update(langid_accuracy(args.data))
    if args.tone_styles:
        figures.update(tone_styles(args.data))
    if args.accentless_search:
        figures.update(accentless_search(args.data))
    print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
