"""Blocks to chunks a passage can be cited by: a chunk never spans two sections or two pages.

Chunks are packed up to about ``TARGET_WORDS`` words (the embedding model reads
256 tokens); a longer table is split by rows with its header repeated, a longer
paragraph by sentences. A chunk's id is the document, its heading, its page and
its place among that heading's chunks on that page, so it stays the same as long
as that part of the manual does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from knowledge.documents import Block, ParsedDocument

CHUNKER_VERSION = "1"  # bump when chunking changes, so unchanged files are re-chunked
TARGET_WORDS = 120
SECTION_SEPARATOR = " > "
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


@dataclass(frozen=True)
class Chunk:
    """A piece of a manual as stored and searched: its id, where it comes from (document, section, page,
    machine model) and its text."""

    chunk_id: str
    document: str
    title: str
    section_path: tuple[str, ...]
    page: int | None
    machine_model: str | None
    text: str

    def context_text(self) -> str:
        """What is embedded and indexed: the text with its title and headings, which carry much of its meaning."""
        heading = SECTION_SEPARATOR.join(self.section_path)
        model = f" ({self.machine_model})" if self.machine_model and self.machine_model not in self.title else ""
        return f"{self.title}{model}\n{heading}\n{self.text}" if heading else f"{self.title}{model}\n{self.text}"


def chunk_document(doc: ParsedDocument) -> list[Chunk]:
    """The document's blocks packed into chunks of about ``TARGET_WORDS`` words, never across a section or page,
    in document order; ids are ``document#section-slug@pPAGE.N``, N counting the chunks of that section and page."""
    chunks: list[Chunk] = []
    counters: dict[str, int] = {}
    for (path, page), group in groupby(doc.blocks, key=lambda b: (b.section_path, b.page)):
        for text in _pack(list(group)):
            key = f"{_slug(path[-1]) if path else 'top'}@p{page if page is not None else 0}"
            n = counters.get(key, 0)
            counters[key] = n + 1
            chunks.append(
                Chunk(f"{doc.document}#{key}.{n}", doc.document, doc.title, path, page, doc.machine_model, text)
            )
    return chunks


def _words(text: str) -> int:
    return len(text.split())


def _pack(blocks: list[Block]) -> list[str]:
    pieces = [piece for block in blocks for piece in _split(block)]
    out: list[str] = []
    current: list[str] = []
    for piece in pieces:
        if current and _words("\n\n".join(current)) + _words(piece) > TARGET_WORDS:
            out.append("\n\n".join(current))
            current = []
        current.append(piece)
    if current:
        out.append("\n\n".join(current))
    return out


def _split(block: Block) -> list[str]:
    """A block small enough as it is, or its rows / sentences grouped into pieces of at most the target."""
    if _words(block.text) <= TARGET_WORDS:
        return [block.text]
    lines = block.text.splitlines()
    if block.is_table and len(lines) > 3:
        header, rows = lines[:2], lines[2:]  # column names and the |---| rule
        return _group(rows, prefix=header, joiner="\n")
    units = lines if len(lines) > 1 else SENTENCE_END.split(block.text)
    return _group(units, prefix=[], joiner="\n" if len(lines) > 1 else " ")


def _group(units: list[str], *, prefix: list[str], joiner: str) -> list[str]:
    groups: list[list[str]] = [[]]
    for unit in units:
        if groups[-1] and _words(joiner.join(prefix + groups[-1] + [unit])) > TARGET_WORDS:
            groups.append([])
        groups[-1].append(unit)
    return [joiner.join(prefix + g) for g in groups if g]


def _slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", heading.lower()).strip("-.") or "section"
