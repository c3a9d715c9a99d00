"""Lexical search (Okapi BM25) that keeps the exact strings embeddings blur.

The tokenizer keeps a compound like ``BRG-6205``, ``bearing_temp``, ``P-101``
or ``7.1`` as one token *and* adds its parts, so a query for the part number
matches it exactly (a rare token, so a high score) while "6205 bearing" still
finds it. Alarm codes (``601``) are plain number tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

TOKEN = re.compile(r"[a-z0-9]+(?:[-_./][a-z0-9]+)*")
PART_SEPARATOR = re.compile(r"[-_./]")
STOP_WORDS = frozenset(
    "a an and are as at be but by can do does for from has have how i if in into is it its my no not of on or our "
    "should so than that the their then there these this to too was we were what when where which while who why "
    "will with you your".split()
)


def _stem(word: str) -> str:
    """Singular of a plain English plural; anything with a digit is left exactly as written."""
    if len(word) <= 3 or any(c.isdigit() for c in word):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=200_000)
def _expand(token: str) -> tuple[str, ...]:
    """One matched token as indexed: the compound itself if it has parts, then its stemmed parts."""
    parts = PART_SEPARATOR.split(token)
    kept = tuple(_stem(p) for p in parts if p and p not in STOP_WORDS)
    return (token, *kept) if len(parts) > 1 else kept


def tokenize(text: str) -> list[str]:
    """The text's BM25 tokens in order: lower case, plain plurals made singular, stop words left out; a compound
    (``TC-K-150``) is kept whole and followed by its parts."""
    tokens: list[str] = []
    for token in TOKEN.findall(text.lower()):
        tokens.extend(_expand(token))
    return tokens


class Bm25Index:
    """An immutable BM25 index over documents given as token lists; rows are addressed by position."""

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        vocabulary: dict[str, int] = {}
        token_ids: list[int] = []
        lengths = np.fromiter((len(d) for d in documents), dtype=np.int64, count=len(documents))
        for doc in documents:
            token_ids.extend(vocabulary.setdefault(t, len(vocabulary)) for t in doc)
        self._vocabulary = vocabulary
        self.size = len(documents)
        if not token_ids:
            self._starts = np.zeros(1, dtype=np.int64)
            self._docs = np.zeros(0, dtype=np.int64)
            self._weights = np.zeros(0, dtype=np.float32)
            self._idf = np.zeros(0, dtype=np.float32)
            return
        rows = np.repeat(np.arange(self.size, dtype=np.int64), lengths)
        # One posting per (token, document) with its term frequency, sorted by token.
        keys, tf = np.unique(np.asarray(token_ids, dtype=np.int64) * self.size + rows, return_counts=True)
        tokens, self._docs = np.divmod(keys, self.size)
        self._starts = np.searchsorted(tokens, np.arange(len(vocabulary) + 1))
        df = np.diff(self._starts)
        self._idf = np.log1p((self.size - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1e-9))
        self._weights = (tf * (k1 + 1) / (tf + norm[self._docs])).astype(np.float32)

    def top(self, query: str, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The best ``n`` rows for the query (only rows where ``mask`` is true), best first; rows with no match
        are left out."""
        scores = np.zeros(self.size, dtype=np.float32)
        for token in set(tokenize(query)):
            t = self._vocabulary.get(token)
            if t is None:
                continue
            start, end = self._starts[t], self._starts[t + 1]
            scores[self._docs[start:end]] += self._idf[t] * self._weights[start:end]
        if mask is not None:
            scores[~mask] = 0.0
        hits = np.flatnonzero(scores > 0)
        if len(hits) > n:
            hits = hits[np.argpartition(-scores[hits], n - 1)[:n]]
        hits = hits[np.lexsort((hits, -scores[hits]))]
        return [(int(i), float(scores[i])) for i in hits]
