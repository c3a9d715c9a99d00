"""Manual files to blocks and chunks, and the lexical tokenizer: no model needed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfWriter

from knowledge.chunking import TARGET_WORDS, chunk_document
from knowledge.documents import read_document
from knowledge.errors import EmptyDocument, UnreadableDocument
from knowledge.lexical import Bm25Index, tokenize

MANUALS = Path(__file__).resolve().parent.parent / "plants" / "riverside" / "manuals"

MARKDOWN = """---
title: Test Pump Manual
machine_model: Testflow T-1
---

# Test Pump Manual

Intro paragraph on page one.

## 1 Safety

Lock out the pump before work.

<!-- page 2 -->

## 2 Troubleshooting

### 2.1 Vibration

| Symptom | Likely causes | Checks | Remedy |
| --- | --- | --- | --- |
| High vibration | worn bearing | listen | replace BRG-6205 |

<!-- page 3 -->

## 3 Maintenance

Grease every 2,000 hours.
"""


def test_markdown_front_matter_sections_and_page_markers(tmp_path: Path) -> None:
    path = tmp_path / "t1.md"
    path.write_text(MARKDOWN)
    doc = read_document(path)
    assert (doc.document, doc.title, doc.machine_model) == ("t1.md", "Test Pump Manual", "Testflow T-1")
    where = {b.text.splitlines()[0][:20]: (b.section_path, b.page, b.is_table) for b in doc.blocks}
    assert where["Intro paragraph on p"] == ((), 1, False)
    assert where["Lock out the pump be"] == (("1 Safety",), 1, False)
    assert where["| Symptom | Likely c"] == (("2 Troubleshooting", "2.1 Vibration"), 2, True)
    assert where["Grease every 2,000 h"] == (("3 Maintenance",), 3, False)


def test_plain_text_numbered_headings_and_form_feed_pages(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(
        "Press Notes\n\n1 Safety\nKeep hands clear.\n2 bolts hold the guard.\n\f"
        "2 Operation\n2.1 Pressure\nSet 80 to 210 bar.\n2.3 Not a heading because 2.2 is missing\n"
    )
    doc = read_document(path)
    assert doc.title == "Press Notes" and doc.machine_model is None
    where = {b.text.splitlines()[0]: (b.section_path, b.page) for b in doc.blocks}
    assert where["Keep hands clear."] == (("1 Safety",), 1)  # "2 bolts hold..." is text: lower case
    assert where["Set 80 to 210 bar."] == (("2 Operation", "2.1 Pressure"), 2)
    assert "2.3 Not a heading because 2.2 is missing" in doc.blocks[-1].text


def test_committed_pdf_manual_has_text_pages_sections_and_model() -> None:
    doc = read_document(MANUALS / "beltline-bl40.pdf")
    assert doc.title == "Beltline BL-40 Belt Conveyor Manual"
    assert doc.machine_model == "Beltline BL-40"
    pages = {b.page for b in doc.blocks}
    assert pages == {1, 2, 3, 4, 5}
    jam = [b for b in doc.blocks if "alarm 601" in b.text and b.section_path[-1:] == ("4.1 Jams and belt faults",)]
    assert jam and jam[0].page == 3
    assert not any("Page 3" in b.text for b in doc.blocks)  # running footers are dropped


@pytest.mark.parametrize(
    ("name", "content", "error", "message"),
    [
        ("empty.md", b"", EmptyDocument, "empty"),
        ("blank.md", b"  \n\n\t\n", EmptyDocument, "empty"),
        ("only-front-matter.md", b"---\ntitle: X\n---\n", EmptyDocument, "no text"),
        ("corrupt.pdf", b"%PDF-1.7\n1 0 obj <<< this is not a pdf", UnreadableDocument, "not a readable PDF"),
        ("latin1.txt", "Druck \xfcber 200 bar".encode("latin-1"), UnreadableDocument, "not UTF-8"),
        ("bad-yaml.md", b"---\ntitle: [unclosed\n---\ntext", UnreadableDocument, "front matter"),
        ("unclosed.md", b"---\ntitle: X\ntext", UnreadableDocument, "never closed"),
        ("manual.docx", b"PK\x03\x04", UnreadableDocument, "unsupported file type"),
    ],
)
def test_broken_and_empty_files_raise_typed_errors(
    tmp_path: Path, name: str, content: bytes, error: type[Exception], message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error, match=message):
        read_document(path)


def test_pdf_without_text_layer_is_empty(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scanned.pdf"
    with path.open("wb") as f:
        writer.write(f)
    with pytest.raises(EmptyDocument, match="no text layer"):
        read_document(path)


def test_chunks_stay_within_one_section_and_page_and_ids_are_unique_and_stable() -> None:
    doc = read_document(MANUALS / "aquaflow-cp80.md")
    chunks = chunk_document(doc)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert [c.chunk_id for c in chunk_document(read_document(MANUALS / "aquaflow-cp80.md"))] == [
        c.chunk_id for c in chunks
    ]
    for chunk in chunks:  # every line of a chunk comes from a block of the chunk's own section and page
        own = "\n".join(b.text for b in doc.blocks if (b.section_path, b.page) == (chunk.section_path, chunk.page))
        assert all(line in own for line in chunk.text.splitlines())
    assert "aquaflow-cp80.md#5.2-vibration-and-bearing-faults@p5.0" in {c.chunk_id for c in chunks}


def test_long_tables_are_split_by_rows_with_the_header_repeated() -> None:
    chunks = [c for c in chunk_document(read_document(MANUALS / "aquaflow-cp80.md"))
              if c.section_path[-1:] == ("5.2 Vibration and bearing faults",)]
    assert len(chunks) > 1
    for chunk in chunks:
        lines = chunk.text.splitlines()
        assert lines[0].startswith("| Symptom | Likely causes") and set(lines[1]) <= set("|- ")
        assert len(lines) > 2
        assert len(chunk.text.split()) <= TARGET_WORDS + 60  # one row may be long on its own


def test_tokenizer_keeps_part_numbers_alarm_codes_and_tag_names() -> None:
    tokens = tokenize("Replace BRG-6205 on P-101 when bearing_temp exceeds 85 degC (alarm 601), 7.1 mm/s.")
    for exact in ("brg-6205", "p-101", "bearing_temp", "601", "85", "7.1", "mm/s"):
        assert exact in tokens
    assert {"brg", "6205", "bearing", "temp"} <= set(tokens)
    assert "the" not in tokenize("the pump") and tokenize("bearings") == ["bearing"]


def test_bm25_ranks_the_exact_part_number_first_and_honours_the_mask() -> None:
    docs = [
        "bearing 6205 for the conveyor drum",
        "replace BRG-6205 bearing on the pump",
        "oven heating element HTR-ELEM-TC6",
        "BRG-6308 bearing of the press pump drive",
    ]
    index = Bm25Index([tokenize(d) for d in docs])
    assert index.top("BRG-6205", 4)[0][0] == 1
    assert [i for i, _ in index.top("heating element", 4)] == [2]
    import numpy as np

    mask = np.array([True, False, True, True])
    assert 1 not in [i for i, _ in index.top("BRG-6205", 4, mask)]
    assert index.top("nothing matches this", 4) == []
    assert Bm25Index([]).top("pump", 3) == []
