"""A short title for an idea: its first sentence, at most about 120 characters, cut on a word."""

from __future__ import annotations

import re

TITLE_MAX = 120
# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    "f.eks fx evt mv m.v bl.a ift i.f.t ca dvs osv jf pga inkl ekskl mht vedr ang nr tlf kl "
    "etc e.g i.e vs st s.u m.fl mfl kap pkt stk kr afd".split()
)
_SENTENCE_END = re.compile(r"[.!?](?=\s+[\"”»(]*[A-ZÆØÅ0-9])")


def first_sentence(text: str) -> str:
    """Everything up to the first full stop, ! or ? that ends a sentence."""
    for match in _SENTENCE_END.finditer(text):
        before = text[: match.start()]
        word = before.rsplit(None, 1)[-1].lower() if before.strip() else ""
        if match.group() == "." and (word in ABBREVIATIONS or len(word) == 1 or word.isdigit()):
            continue
        return text[: match.end()]
    return text


def short_title(text: str) -> str:
    """The idea's first sentence without its full stop, cut on a word to at most 120 characters."""
    text = text.lstrip(" .,;:!?-–—")  # a bullet that starts with stray punctuation
    sentence = first_sentence(text).strip()
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1].rstrip()
    if not sentence:  # nothing but punctuation: the text itself is all there is
        return text.strip()[:TITLE_MAX] or "…"
    if len(sentence) <= TITLE_MAX:
        return sentence
    cut = sentence[: TITLE_MAX - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–-") + "…"
