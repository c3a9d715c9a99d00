"""The site's releases, kept beside the audit log: each one's manifest, its eval reports' figures and its promotions.

A release is written once and never changed; a report is attached once per suite (a suite run again is not
attached over the first: a figure is not re-rolled until it passes); a promotion is appended, and the newest
one names the running release. The manifest and figures are JSON the governance layer reads
(copilot/governance/releases.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from copilot.store.db import Sql, Store

_MIGRATIONS = (
    (
        Sql("""CREATE TABLE IF NOT EXISTS releases (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            manifest TEXT NOT NULL
        )"""),
        Sql("""CREATE TABLE IF NOT EXISTS release_reports (
            release_id TEXT NOT NULL REFERENCES releases(id),
            suite TEXT NOT NULL,
            figures TEXT NOT NULL,
            attached_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (release_id, suite)
        )"""),
        Sql("""CREATE TABLE IF NOT EXISTS release_promotions (
            seq {serial},
            release_id TEXT NOT NULL REFERENCES releases(id),
            promoted_by TEXT NOT NULL,
            promoted_at DOUBLE PRECISION NOT NULL
        )"""),
    ),
)


@dataclass(frozen=True)
class StoredRelease:
    """A release as kept: its id, name, when it was made, its manifest and its reports' figures (JSON)."""

    id: str
    name: str
    created_at: float
    manifest: str
    reports: list[str]


@dataclass(frozen=True)
class Promotion:
    """A release made the running one: which, by whom, when."""

    release_id: str
    by: str
    at: float


class ReleaseStore(Store):
    """The releases, their reports and their promotions in the copilot's database (SQLite or PostgreSQL)."""

    store, migrations = "releases", _MIGRATIONS

    def add(self, release_id: str, name: str, manifest: str, reports: dict[str, str]) -> bool:
        """Keep a new release with its reports (suite → figures); False, keeping nothing, when its id is kept."""
        with self._db.transaction() as tx:
            if not tx.execute("INSERT INTO releases (id, name, created_at, manifest) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT (id) DO NOTHING", (release_id, name, time.time(), manifest)):
                return False
            for suite, figures in reports.items():
                tx.execute("INSERT INTO release_reports VALUES (?, ?, ?, ?)", (release_id, suite, figures, time.time()))
        return True

    def attach(self, release_id: str, suite: str, figures: str) -> bool:
        """Attach a suite's figures to a kept release; False when the release holds that suite already."""
        return bool(self._db.execute("INSERT INTO release_reports VALUES (?, ?, ?, ?) "
                                     "ON CONFLICT (release_id, suite) DO NOTHING",
                                     (release_id, suite, figures, time.time())))

    def ids(self, prefix: str) -> list[str]:
        """The ids that begin with ``prefix`` (hex digits: no LIKE wildcard)."""
        return [r["id"] for r in self._db.all("SELECT id FROM releases WHERE id LIKE ? ORDER BY id", (prefix + "%",))]

    def get(self, release_id: str) -> StoredRelease | None:
        row = self._db.one("SELECT * FROM releases WHERE id = ?", (release_id,))
        return None if row is None else self._release(row)

    def listed(self) -> list[StoredRelease]:
        """Every release, the newest first."""
        return [self._release(r) for r in self._db.all("SELECT * FROM releases ORDER BY created_at DESC")]

    def _release(self, row) -> StoredRelease:
        reports = self._db.all("SELECT figures FROM release_reports WHERE release_id = ? ORDER BY suite", (row["id"],))
        return StoredRelease(row["id"], row["name"], row["created_at"], row["manifest"],
                             [r["figures"] for r in reports])

    def promote(self, release_id: str, by: str) -> Promotion:
        """Make a kept release the running one (appended: the promotions before stay on record)."""
        at = time.time()
        self._db.execute("INSERT INTO release_promotions (release_id, promoted_by, promoted_at) VALUES (?, ?, ?)",
                         (release_id, by, at))
        return Promotion(release_id, by, at)

    def running(self) -> Promotion | None:
        """The newest promotion, or None when no release was ever promoted here."""
        row = self._db.one("SELECT * FROM release_promotions ORDER BY seq DESC LIMIT 1")
        return None if row is None else Promotion(row["release_id"], row["promoted_by"], row["promoted_at"])
