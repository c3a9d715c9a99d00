"""Dev tool: render a Markdown manual to a text PDF, so the demo has a real PDF manual to ingest.

    python -m knowledge.render_pdf plants/riverside/manual_sources/beltline-bl40.md \
        plants/riverside/manuals/beltline-bl40.pdf

Needs fpdf2 (a dev dependency). Each ``<!-- page N -->`` marker starts a new
page; headings keep their numbers (the PDF parser finds sections by them);
tables become PDF tables; the front matter's ``machine_model`` goes into the
document information as ``/MachineModel``. The PDF is committed; the app only
reads it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from pypdf import PdfReader, PdfWriter

from knowledge.documents import MD_HEADING, PAGE_MARKER, TABLE_ROW, _front_matter

# The PDF core fonts are Latin-1; these are the few characters of the manuals outside it.
LATIN1 = str.maketrans({"−": "-", "–": "-", "—": "-", "’": "'", "“": '"', "”": '"', "…": "..."})


class _ManualPdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.manual_title = title
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def header(self) -> None:
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(110)
        self.cell(0, 6, self.manual_title, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(110)
        self.cell(0, 6, f"Page {self.page_no()}", align="C")
        self.set_text_color(0)


class _Body:
    """Markdown lines into the PDF: a paragraph or table is held until a blank line, heading, page or list item
    ends it (``flush``)."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.table: list[list[str]] = []
        self.paragraph: list[str] = []

    def flush(self) -> None:
        pdf = self.pdf
        if self.paragraph:
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, " ".join(self.paragraph).translate(LATIN1).replace("**", ""), align="L")
            pdf.ln(2)
            self.paragraph.clear()
        if self.table:
            pdf.set_font("Helvetica", "", 8.5)
            with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=4.5, text_align="LEFT") as t:
                for row in self.table:
                    t.row([cell.translate(LATIN1) for cell in row])
            pdf.ln(3)
            self.table.clear()

    def feed(self, line: str) -> None:
        """Write one Markdown line, or hold it as part of a paragraph or table row."""
        if PAGE_MARKER.match(line):
            self.flush()
            self.pdf.add_page()
        elif m := MD_HEADING.match(line):
            self.flush()
            size = {1: 16, 2: 13, 3: 11}.get(len(m.group(1)), 10)
            self.pdf.set_font("Helvetica", "B", size)
            self.pdf.multi_cell(0, size * 0.55, m.group(2).translate(LATIN1), align="L")
            self.pdf.ln(1.5)
        elif TABLE_ROW.match(line):
            self._table_row(line)
        elif not line.strip():
            self.flush()
        elif line.lstrip().startswith(("- ", "* ")) or line.lstrip()[:3].rstrip(". ").isdigit():
            self.flush()
            self.paragraph.append(line.strip())
            self.flush()
        else:
            if self.table:
                self.flush()
            self.paragraph.append(line.strip())

    def _table_row(self, line: str) -> None:
        if self.paragraph:
            self.flush()
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not all(set(c) <= {"-", ":", " "} for c in cells):  # skip the |---| rule
            self.table.append(cells)


def render(source: Path, target: Path) -> None:
    """Write the Markdown manual ``source`` as a text PDF at ``target`` (its folder made if missing), with the
    front matter's title, manufacturer and machine model in the PDF's document information."""
    meta, body = _front_matter(source.read_text(encoding="utf-8"), source.name)
    title = str(meta["title"])
    pdf = _ManualPdf(title)
    pdf.set_title(title)
    pdf.set_author(str(meta.get("manufacturer", "")))
    pdf.add_page()
    text = _Body(pdf)
    for line in body.splitlines():
        text.feed(line)
    text.flush()

    target.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(target))
    if meta.get("machine_model"):
        writer = PdfWriter(clone_from=PdfReader(target))
        writer.add_metadata({"/MachineModel": str(meta["machine_model"])})
        with target.open("wb") as f:
            writer.write(f)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m knowledge.render_pdf SOURCE.md TARGET.pdf")
    render(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {sys.argv[2]}")
