"""Word segmentation with an own jieba tokenizer and the policy-domain dictionary.

The tokenizer is a private ``jieba.Tokenizer`` instance (the module-global one is shared with
every other jieba user in the process), built once on first use behind a lock, with the terms
of ``dict/domain_terms.txt`` added at a frequency that keeps them whole (专精特新, 研发费用加计扣除,
首台套 …). Parallel mode (``jieba.enable_parallel``) is never used: it rebinds module globals.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba

from policymatch.corpus.normalize import to_half_width

_DICT_DIR = Path(__file__).with_name("dict")
DOMAIN_TERMS = _DICT_DIR / "domain_terms.txt"
STOPWORDS = _DICT_DIR / "stopwords.txt"

# Parenthesised variants jieba's splitter would cut at the bracket.
_BRACKETED = re.compile(r"(首台|首批|首版)\s*[（(]\s*(套|次)\s*[）)]")
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")
_BUILD_LOCK = threading.Lock()

# jieba sets its own logger to DEBUG with a stderr handler at import; a library stays quiet.
logging.getLogger("jieba").setLevel(logging.WARNING)


def _read_list(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stopword list of ``dict/stopwords.txt``."""
    return frozenset(_read_list(STOPWORDS))


@lru_cache(maxsize=1)
def domain_terms() -> tuple[str, ...]:
    """The domain terms of ``dict/domain_terms.txt`` (without frequencies)."""
    return tuple(line.split()[0] for line in _read_list(DOMAIN_TERMS))


@lru_cache(maxsize=1)
def tokenizer_fingerprint() -> str:
    """Short hash of what decides segmentation: jieba's version, the domain terms, the stopwords.

    An index records it; a query segmented under another dictionary than the passages finds
    fewer shared terms without any error, so a mismatch must at least be visible.
    """
    digest = hashlib.sha256(jieba.__version__.encode())
    for path in (DOMAIN_TERMS, STOPWORDS):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def get_tokenizer() -> jieba.Tokenizer:
    """The shared domain tokenizer, built on first call (about a second) and reused."""
    with _BUILD_LOCK:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for line in _read_list(DOMAIN_TERMS):
            parts = line.split()
            word = _BRACKETED.sub(r"\1\2", parts[0])
            freq = int(parts[1]) if len(parts) > 1 else None
            tag = parts[2] if len(parts) > 2 else None
            if freq is None:
                # enough for jieba to prefer the whole term over any split of it
                freq = max(tokenizer.suggest_freq(word, tune=False), 1) * 10
            tokenizer.add_word(word, freq, tag)
        return tokenizer


def segment(text: str) -> list[str]:
    """All jieba words of ``text`` (precise mode), punctuation and spaces included."""
    return get_tokenizer().lcut(_BRACKETED.sub(r"\1\2", to_half_width(text)), HMM=True)


def tokenize(text: str) -> list[str]:
    """Index tokens of ``text``: half-width, lowercased, without punctuation, spaces and stopwords.

    Returns:
        Tokens in text order, e.g. ``["首次", "认定", "专精特新", "小巨人", "企业", "奖励", "50", "万元"]``.
    """
    stop = stopwords()
    tokens = []
    for word in segment(text):
        word = word.strip().lower()
        if word and _WORDLIKE.search(word) and word not in stop:
            tokens.append(word)
    return tokens
