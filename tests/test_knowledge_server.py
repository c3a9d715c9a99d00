"""The manuals on chromadb's server (``chroma run`` on loopback), chosen by PLANT_KNOWLEDGE_URL: the same ingest,
search and citations as the folder store, shared by every client of the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.embeddings import MiniLmEmbedder
from knowledge.errors import StoreUnavailable
from knowledge.open import open_store
from knowledge.settings import KnowledgeSettings
from knowledge.store import ManualStore
from simulator.process import free_ports
from ui.served_processes import chroma_server

MANUALS = Path(__file__).resolve().parent.parent / "plants" / "riverside" / "manuals"
PLANTED = Path(__file__).resolve().parent.parent / "evals" / "planted"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("chroma")
    with chroma_server(work / "data", work) as url:
        yield url


@pytest.fixture(scope="module")
def embedder() -> MiniLmEmbedder:
    return MiniLmEmbedder()


@pytest.fixture(scope="module")
def served(server: str, tmp_path_factory: pytest.TempPathFactory) -> ManualStore:
    """The store the settings open with PLANT_KNOWLEDGE_URL set, the pump's manual ingested into it."""
    unused = tmp_path_factory.mktemp("unused-folder") / "store"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PLANT_KNOWLEDGE_URL", server)
        env.setenv("PLANT_KNOWLEDGE_STORE", str(unused))
        store = open_store(KnowledgeSettings())
    assert store.where == server and store.path is None
    report = store.ingest(MANUALS / "aquaflow-cp80.md")
    assert report.ok and report.count("added") == 1, report.summary()
    assert not unused.exists()  # nothing was written to the folder of the settings
    return store


def test_a_manual_on_the_server_is_searched_and_cited_as_in_a_folder(served: ManualStore) -> None:
    [hit] = served.search("bearing temperature high", 1, machine_model="aquaflow cp-80")
    assert hit.document == "aquaflow-cp80.md" and hit.machine_model == "Aquaflow CP-80"
    assert hit.cite().startswith("Aquaflow CP-80 Operating Manual, §")
    assert served.passage(hit.chunk_id).text == hit.text
    assert [m.document for m in served.manuals()] == ["aquaflow-cp80.md"]
    assert served.chunk_count() == served.manuals()[0].chunks


def test_another_client_of_the_server_sees_the_same_manuals_and_their_changes(
    served: ManualStore, server: str, embedder: MiniLmEmbedder
) -> None:
    other = ManualStore.served(server, embedder)
    assert other.ingest(MANUALS / "aquaflow-cp80.md").files[0].status == "unchanged"
    assert other.ingest(MANUALS / "fillpro-rf12.md").files[0].status == "added"
    assert {m.document for m in served.manuals()} == {"aquaflow-cp80.md", "fillpro-rf12.md"}
    assert other.remove("fillpro-rf12.md") > 0
    assert [m.document for m in served.manuals()] == ["aquaflow-cp80.md"]


def test_a_copy_of_a_served_store_is_a_folder_of_its_own(served: ManualStore, tmp_path: Path) -> None:
    copy = served.copy_to(tmp_path / "copy")
    assert copy.path == tmp_path / "copy" and copy.chunk_count() == served.chunk_count()
    query = "bearing temperature high"
    assert copy.search(query, 1)[0].chunk_id == served.search(query, 1)[0].chunk_id
    assert copy.ingest(PLANTED).ok  # an eval's planted manual goes to the copy only
    assert len(copy.manuals()) > len(served.manuals()) == 1


def test_a_server_that_does_not_answer_is_a_clear_error(embedder: MiniLmEmbedder) -> None:
    (port,) = free_ports(1)
    with pytest.raises(StoreUnavailable, match=f"chromadb server at http://127.0.0.1:{port} does not answer .*"
                                               "unset PLANT_KNOWLEDGE_URL"):
        ManualStore.served(f"http://127.0.0.1:{port}", embedder)
    with pytest.raises(StoreUnavailable, match="'127.0.0.1:8000' is not an http"):
        ManualStore.served("127.0.0.1:8000", embedder)
