"""Word boundaries, to tell a name from the same characters inside other words.

保定 inside 医保定点, 高企 inside 提高企业: a name counts in running text only when it starts and
ends where jieba's segmentation puts word boundaries. The tokenizer is the reference package's
own ``jieba.Tokenizer`` (not jieba's global one), built on first use (about a second).
"""

from __future__ import annotations

import logging
from functools import cache

import jieba

# jieba sets its own logger to DEBUG with a stderr handler at import; a library stays quiet.
logging.getLogger("jieba").setLevel(logging.WARNING)

_WINDOW = 8  # characters of context either side that the segmentation sees


@cache
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def word_bounds(text: str, start: int, length: int) -> tuple[bool, bool]:
    """Whether ``text[start:start + length]`` starts, and whether it ends, on a word boundary."""
    left = max(0, start - _WINDOW)
    window = text[left : start + length + _WINDOW]
    bounds = {0}
    offset = 0
    for token in _tokenizer().cut(window, HMM=False):
        offset += len(token)
        bounds.add(offset)
    return start - left in bounds, start - left + length in bounds


def on_word_bounds(text: str, start: int, length: int) -> bool:
    """Whether ``text[start:start + length]`` starts and ends on word boundaries."""
    starts, ends = word_bounds(text, start, length)
    return starts and ends
