"""Manual files to blocks of text that know their section path and page.

Formats and conventions (see knowledge/README.md):

- Markdown (``.md``, ``.markdown``): optional YAML front matter (``title``,
  ``machine_model``); headings give the section path; a line
  ``<!-- page N -->`` starts page N (text before the first marker is page 1).
- Plain text (``.txt``): the same front matter and page markers; a form feed
  also starts the next page; numbered heading lines (``6.2 High vibration``)
  give the section path.
- PDF: the text layer of each page (pypdf), numbered heading lines as for
  text; the title and machine model come from the document information
  (``/Title``, ``/MachineModel``).

A file that cannot be parsed raises :class:`UnreadableDocument`; one without
text raises :class:`EmptyDocument`. Nothing here touches the store.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.errors import EmptyDocument, UnreadableDocument

SUPPORTED_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".pdf"})

PAGE_MARKER = re.compile(r"^\s*<!--\s*page\s+(\d+)\s*-->\s*$", re.IGNORECASE)
MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# "6", "6.2 High vibration", "6.2.1 Checks": a short numbered line without a final full stop.
NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+([A-Z][^|]{1,70})$")
TABLE_ROW = re.compile(r"^\s*\|")
FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Block:
    """A paragraph, list or table, with where it stands in the manual."""

    text: str
    section_path: tuple[str, ...]
    page: int | None
    is_table: bool = False


@dataclass(frozen=True)
class ParsedDocument:
    """A manual file read into blocks of text with their section and page, and the front matter's fields."""

    document: str  # the file name: the id a re-ingest of the same manual replaces
    title: str
    machine_model: str | None
    content_hash: str  # sha256 of the file's bytes
    blocks: tuple[Block, ...]


def read_document(path: Path) -> ParsedDocument:
    """Parse one manual file into blocks; raise a typed error rather than return half a document."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableDocument(f"{path.name}: unsupported file type {suffix or '(none)'}; use .md, .txt or .pdf")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"{path.name}: cannot read: {e.strerror or e}") from e
    if not data.strip():
        raise EmptyDocument(f"{path.name}: the file is empty")
    content_hash = hashlib.sha256(data).hexdigest()
    if suffix == ".pdf":
        title, model, blocks = _parse_pdf(path)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise UnreadableDocument(f"{path.name}: not UTF-8 text (byte {e.start})") from e
        meta, body = _front_matter(text, path.name)
        if suffix == ".txt":
            blocks, first_line = _parse_text(body), _first_line(body)
        else:
            blocks, first_line = _parse_markdown(body)
        title = str(meta.get("title") or first_line or path.stem)
        model = meta.get("machine_model")
        model = str(model) if model else None
    blocks = tuple(b for b in blocks if b.text.strip())
    if not blocks:
        raise EmptyDocument(f"{path.name}: no text to index")
    return ParsedDocument(path.name, title.strip(), model, content_hash, blocks)


def _front_matter(text: str, name: str) -> tuple[dict, str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as e:
                raise UnreadableDocument(f"{name}: front matter is not valid YAML: {e}") from e
            if not isinstance(meta, dict):
                raise UnreadableDocument(f"{name}: front matter must be a mapping (title:, machine_model:)")
            return meta, "\n".join(lines[end + 1 :])
    raise UnreadableDocument(f"{name}: front matter opened with '---' is never closed")


def _first_line(text: str) -> str | None:
    return next((line.strip() for line in text.splitlines() if line.strip() and not PAGE_MARKER.match(line)), None)


class _Blocks:
    """Collects lines into blocks, cutting at blank lines, headings, page changes and table edges."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.path: tuple[str, ...] = ()
        self.page: int | None = 1
        self._lines: list[str] = []
        self._table = False

    def flush(self) -> None:
        if self._lines:
            self.blocks.append(Block("\n".join(self._lines).strip(), self.path, self.page, self._table))
        self._lines, self._table = [], False

    def add(self, line: str, *, table: bool = False) -> None:
        if self._lines and table != self._table:
            self.flush()
        self._table = table
        self._lines.append(line.rstrip())

    def heading(self, level: int, title: str) -> None:
        self.flush()
        self.path = (*self.path[: level - 1], title)

    def new_page(self, page: int) -> None:
        self.flush()
        self.page = page


def _parse_markdown(body: str) -> tuple[list[Block], str | None]:
    out = _Blocks()
    title: str | None = None
    fenced = False
    for line in body.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            out.add(line)
            continue
        if fenced:
            out.add(line)
            continue
        if m := PAGE_MARKER.match(line):
            out.new_page(int(m.group(1)))
        elif m := MD_HEADING.match(line):
            level, text = len(m.group(1)), m.group(2).strip()
            if level == 1 and title is None:
                title = text  # the document's title, not a section
                out.flush()
            else:
                out.heading(level - 1 if title else level, text)
        elif not line.strip():
            out.flush()
        else:
            out.add(line, table=bool(TABLE_ROW.match(line)))
    out.flush()
    return out.blocks, title


class _NumberedHeadings:
    """Accepts a numbered line as a heading only if its number follows the previous heading's."""

    def __init__(self) -> None:
        self.last: tuple[int, ...] = ()

    def match(self, line: str) -> tuple[int, str] | None:
        m = NUMBERED_HEADING.match(line.strip())
        if not m or m.group(2).rstrip().endswith((".", ",", ";", ":")):
            return None
        number = tuple(int(n) for n in m.group(1).split("."))
        if not self._follows(number):
            return None
        self.last = number
        return len(number), f"{m.group(1)} {m.group(2).strip()}"

    def _follows(self, number: tuple[int, ...]) -> bool:
        if not self.last:
            return len(number) == 1
        depth = len(number)
        if depth > len(self.last) + 1:
            return False
        if depth == len(self.last) + 1:  # first child: 6 -> 6.1
            return number[:-1] == self.last and number[-1] == 1
        return number[:-1] == self.last[: depth - 1] and number[-1] == self.last[depth - 1] + 1


def _layout_blocks(pages: Iterable[tuple[int, str]]) -> list[Block]:
    out = _Blocks()
    headings = _NumberedHeadings()
    for page, text in pages:
        out.new_page(page)
        for line in text.splitlines():
            if m := PAGE_MARKER.match(line):
                out.new_page(int(m.group(1)))
            elif found := headings.match(line):
                out.heading(*found)
            elif not line.strip():
                out.flush()
            else:
                out.add(line)
    out.flush()
    return out.blocks


def _parse_text(body: str) -> list[Block]:
    return _layout_blocks(enumerate(body.split("\f"), start=1))


def _parse_pdf(path: Path) -> tuple[str, str | None, list[Block]]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument(f"{path.name}: the PDF is encrypted")
        info = reader.metadata or {}
        pages = [(number, page.extract_text() or "") for number, page in enumerate(reader.pages, start=1)]
    except UnreadableDocument:
        raise
    except Exception as e:  # pypdf raises many kinds (PdfReadError, ValueError, KeyError...) on broken files
        raise UnreadableDocument(f"{path.name}: not a readable PDF: {e}") from e
    if not any(text.strip() for _, text in pages):
        raise EmptyDocument(f"{path.name}: the PDF has no text layer (scanned pages need OCR first)")
    title = str(info.get("/Title") or "") or _first_line(pages[0][1]) or path.stem
    model = info.get("/MachineModel")
    return title, (str(model) if model else None), _layout_blocks(_strip_running_lines(pages))


def _strip_running_lines(pages: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Drop page headers and footers: lines that repeat on most pages once digits are ignored."""
    if len(pages) < 3:
        yield from pages
        return
    seen: dict[str, int] = {}
    for _, text in pages:
        for key in {re.sub(r"\d+", "#", line.strip()) for line in text.splitlines() if line.strip()}:
            seen[key] = seen.get(key, 0) + 1
    running = {key for key, count in seen.items() if count >= 0.6 * len(pages)}
    for number, text in pages:
        kept = [line for line in text.splitlines() if re.sub(r"\d+", "#", line.strip()) not in running]
        yield number, "\n".join(kept)
