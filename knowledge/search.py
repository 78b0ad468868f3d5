"""Diacritics-free matching of Vietnamese text: folding, query words, snippets.

Pure functions, no database: knowledge.selectors turns the words into one query.
"""

from __future__ import annotations

import re
import unicodedata

# NFD splits "ắ" into "a" + breve + acute, but "đ" is a letter of its own
# (U+0111), not "d" with a combining stroke, so it never decomposes.
_SPECIAL_FOLDS = {"đ": "d", "Đ": "d"}
_WORD = re.compile(r"[a-z0-9]+")
_WORD_WITH_MARKS = re.compile(r"\w+")

MAX_SUGGEST_WORDS = 8
SNIPPET_LENGTH = 160

# Words that say nothing about the topic of a help request. Written with their
# marks: "thế" is a stopword but "thẻ" (a card) is not, although both fold to
# "the"; a word typed without marks is only dropped when it matches a folded one.
VIETNAMESE_STOPWORDS = frozenset(
    {
        "của", "và", "là", "có", "không", "tôi", "làm", "thế", "nào", "sao", "bị",
        "được", "cho", "để", "thì", "mà", "ở", "với", "này", "đó", "kia", "những",
        "các", "một", "gì", "ai", "đâu", "khi", "như", "em", "anh", "chị", "ạ", "ơi",
        "nhé", "giúp", "muốn", "cần", "phải", "rồi", "đã", "sẽ", "hãy", "vì", "nên",
        "thể", "bao", "giờ", "vậy", "mình", "hỏi", "xin", "cách", "nhờ",
    }
)  # fmt: skip
ENGLISH_STOPWORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "is", "are",
        "my", "i", "me", "how", "do", "does", "can", "what", "why", "it", "with",
        "be", "was", "get", "please", "help",
        # Pronouns and the verbs of asking, which every question has: "my
        # mother wants to register her grandson's birth" matched an article by
        # "her" and the "s" of "grandson's" (a helper's walk in English).
        "he", "she", "his", "her", "hers", "him", "we", "our", "us", "you", "your",
        "they", "their", "them", "this", "that", "these", "those", "there", "from",
        "at", "by", "as", "if", "so", "not", "no", "will", "would", "should", "could",
        "has", "have", "had", "did", "want", "wants", "wanted", "need", "needs",
        "like", "know", "tell", "about", "when", "where", "which", "who",
    }
)  # fmt: skip


def _fold_char(char: str) -> str:
    special = _SPECIAL_FOLDS.get(char)
    if special is not None:
        return special
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return base.lower()


def fold_vietnamese(text: str) -> str:
    """Return ``text`` in lowercase with tone and vowel marks removed and đ as d."""
    return "".join(_fold_char(char) for char in unicodedata.normalize("NFC", text))


# "ký"/"kí", "lý"/"lí", "mỹ"/"mĩ": both spellings are in use after a consonant,
# so the search form writes them all with i. Same length, so snippet positions hold.
_Y_AFTER_CONSONANT = re.compile(r"\b([bcdghklmnprstvx]{1,3})y\b")


def search_form(text: str) -> str:
    """Return the form of ``text`` that search compares: folded, final "y" as "i"."""
    return _Y_AFTER_CONSONANT.sub(r"\1i", fold_vietnamese(text))


_FOLDED_STOPWORDS = frozenset(fold_vietnamese(word) for word in VIETNAMESE_STOPWORDS)


def query_words(query: str) -> list[str]:
    """Return the distinct words of a search query in search form, in order."""
    return list(dict.fromkeys(_WORD.findall(search_form(query))))


def _is_stopword(word: str) -> bool:
    lowered = word.lower()
    if lowered in VIETNAMESE_STOPWORDS or lowered in ENGLISH_STOPWORDS:
        return True
    # Typed without marks: "lam sao" is as empty as "làm sao".
    return lowered.isascii() and lowered in _FOLDED_STOPWORDS


def informative_terms(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Return the words of free text that may tell its topic, and their pairs, in search form.

    Stopwords are dropped. Pairs are neighbouring kept words: most Vietnamese
    words are two syllables ("tài khoản", "định danh"), so a matched pair says
    far more than two matched syllables. Only the first few words are kept, as
    a long message would otherwise match everything.
    """
    words: list[str] = []
    pairs: list[tuple[str, str]] = []
    previous: str | None = None
    for token in _WORD_WITH_MARKS.findall(unicodedata.normalize("NFC", text)):
        if _is_stopword(token):
            previous = None
            continue
        for word in _WORD.findall(search_form(token)):
            if len(word) < 2:
                # The "s" of "grandson's", a stray letter: it matches any text.
                continue
            if previous is not None and (previous, word) not in pairs:
                pairs.append((previous, word))
            if word not in words:
                words.append(word)
            previous = word
        if len(words) >= MAX_SUGGEST_WORDS:
            break
    kept = set(words[:MAX_SUGGEST_WORDS])
    return words[:MAX_SUGGEST_WORDS], [p for p in pairs if p[0] in kept and p[1] in kept]


def word_pattern(*words: str, whole: bool = False) -> str:
    r"""Return a PostgreSQL regular expression matching ``words`` in a row.

    ``\m`` and ``\M`` are PostgreSQL's start and end of a word: the last word
    matches as a prefix unless ``whole``. Words only hold [a-z0-9], so nothing
    needs escaping.
    """
    return r"\m" + r"\s+".join(words) + (r"\M" if whole else "")


def search_fields(*, title_vi: str, title_en: str, body_vi: str, body_en: str) -> tuple[str, str]:
    """Return the (search_title, search_text) of an article, in search form."""
    search_title = search_form(f"{title_vi}\n{title_en}")
    search_text = search_form(f"{title_vi}\n{title_en}\n\n{body_vi}\n\n{body_en}")
    return search_title, search_text


def snippet(body: str, words: list[str], *, length: int = SNIPPET_LENGTH) -> str:
    """Return about ``length`` characters of ``body`` around the first matched word.

    Folding is done character by character so that positions in the folded
    text are positions in ``body``.
    """
    body = unicodedata.normalize("NFC", " ".join(body.split()))
    if len(body) <= length:
        return body
    folded = "".join(folded if len(folded := _fold_char(char)) == 1 else " " for char in body)
    starts = [
        match.start()
        for word in words
        if (match := re.search(rf"\b{re.escape(word)}", folded)) is not None
    ]
    match_at = min(starts, default=0)
    # Start a little before the match, at a word boundary, to give it context.
    start = body.rfind(" ", 0, match_at - length // 4) + 1 if match_at > length // 4 else 0
    end = min(start + length, len(body))
    if end < len(body) and (space := body.rfind(" ", start, end)) > start:
        end = space
    return ("…" if start else "") + body[start:end].strip() + ("…" if end < len(body) else "")
