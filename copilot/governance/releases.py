"""Releases: a configuration frozen with its eval reports, promoted only when the reports meet the thresholds.

A release's id is its manifest's digest (copilot/governance/manifest.py), so the same configuration is always
the same release. Its reports' figures are copied in when it is made or later attached, once per suite. An
admin promotes it; a promotion is refused, naming each figure that falls short, when a report misses a
threshold or there is no report at all. Promotions and refusals are in the audit log. The newest promotion
is the running release: a copilot whose configuration differs is refused at start
(copilot/governance/running.py).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from copilot.errors import ReleaseError
from copilot.governance.figures import Figure, SuiteFigures
from copilot.governance.manifest import EntryChange, Manifest
from copilot.governance.thresholds import Shortfall, Thresholds
from copilot.identity.users import User
from copilot.settings import CopilotSettings
from copilot.store.audit import AuditKind, AuditLog
from copilot.store.releases import Promotion, ReleaseStore, StoredRelease
from policies.model import Role

SHORT = 12  # the digits of an id shown; any unique prefix of 6 or more names a release
_PREFIX = re.compile(r"[0-9a-f]{6,64}")


class Release(BaseModel):
    """A frozen configuration: its id (the manifest's digest), name, when it was made, its manifest and the
    figures of its eval reports, one per suite."""

    id: str
    name: str
    created_at: float
    manifest: Manifest
    figures: list[SuiteFigures]

    @property
    def short(self) -> str:
        return self.id[:SHORT]

    @classmethod
    def of(cls, stored: StoredRelease) -> Release:
        return cls(id=stored.id, name=stored.name, created_at=stored.created_at,
                   manifest=Manifest.model_validate_json(stored.manifest),
                   figures=[SuiteFigures.model_validate_json(f) for f in stored.reports])


class FigureMove(BaseModel):
    """How one suite's figure moved from one release to another; None where a release has no such report."""

    suite: str
    figure: Figure
    before: float | None
    after: float | None

    def line(self) -> str:
        shown = " → ".join("-" if v is None else f"{v:g}" for v in (self.before, self.after))
        moved = f" ({self.after - self.before:+.4g})" if None not in (self.before, self.after) else ""
        return f"{self.suite:<16} {self.figure:<18} {shown}{moved}"


class ReleaseDiff(BaseModel):
    """What changed from release ``before`` to ``after``: the entries, and every figure of their suites."""

    before: Release
    after: Release
    files: list[EntryChange]
    figures: list[FigureMove]


class NotPromoted(ReleaseError):
    """A promotion refused: the release has no report, or figures fall short of the thresholds (``shortfalls``);
    ``headline`` says which release and why, the message adds each shortfall."""

    def __init__(self, headline: str, shortfalls: list[Shortfall]) -> None:
        super().__init__(f"{headline}: {'; '.join(map(str, shortfalls))}" if shortfalls else headline)
        self.headline = headline
        self.shortfalls = shortfalls


class Releases:
    """The site's releases: made, attached to, promoted against the admin's thresholds, compared."""

    def __init__(self, store: ReleaseStore, audit: AuditLog) -> None:
        self._store = store
        self._audit = audit

    @classmethod
    def of(cls, settings: CopilotSettings) -> Releases:
        """The releases of these settings' site, in the audit log's database, with the audit log."""
        return cls(ReleaseStore(settings.audit_db), AuditLog.of(settings))

    def close(self) -> None:
        self._store.close()
        self._audit.close()

    def create(self, manifest: Manifest, figures: list[SuiteFigures], name: str = "") -> Release:
        """Freeze ``manifest`` with the reports' figures (one report per suite); ReleaseError when this
        configuration is a release already."""
        _one_per_suite(figures)
        release_id = manifest.digest
        if not self._store.add(release_id, name, manifest.model_dump_json(),
                               {f.suite: f.model_dump_json() for f in figures}):
            raise ReleaseError(f"release {release_id[:SHORT]} already freezes this configuration; attach new eval "
                               f"reports to it with `plant-copilot release attach {release_id[:SHORT]} --report PATH`")
        return self.get(release_id)

    def attach(self, release_id: str, figures: list[SuiteFigures]) -> Release:
        """Add reports to a release, each of a suite it holds no report of yet (a suite is never run again over
        its first report: that would re-roll a figure until it passes)."""
        release = self.get(release_id)
        _one_per_suite(figures)
        held = {f.suite: f for f in release.figures}
        if twice := [f"{f.suite} ({held[f.suite].report})" for f in figures if f.suite in held]:
            raise ReleaseError(f"release {release.short} holds a report of {', '.join(twice)} already; a release "
                               "keeps its first report of a suite (create a new release to measure again)")
        for f in figures:
            self._store.attach(release.id, f.suite, f.model_dump_json())
        return self.get(release.id)

    def get(self, release_id: str) -> Release:
        """The release of this id or unique prefix; ReleaseError when there is none or several."""
        prefix = release_id.strip().lower()
        if not _PREFIX.fullmatch(prefix):
            raise ReleaseError(f"{release_id!r} is not a release id: give at least 6 of its hex digits "
                               "(`plant-copilot release list`)")
        found = self._store.ids(prefix)
        if len(found) != 1:
            why = "no release" if not found else f"{len(found)} releases ({', '.join(i[:SHORT] for i in found)})"
            raise ReleaseError(f"{why} on this site with id {release_id!r}; `plant-copilot release list` shows them")
        return Release.of(self._store.get(found[0]))

    def listed(self) -> list[Release]:
        """Every release of the site, the newest first."""
        return [Release.of(r) for r in self._store.listed()]

    def running(self) -> tuple[Release, Promotion] | None:
        """The running release and its promotion; None when none was ever promoted on this site."""
        promotion = self._store.running()
        return None if promotion is None else (self.get(promotion.release_id), promotion)

    def promote(self, release_id: str, thresholds: Thresholds, by: User) -> Release:
        """Make the release the running one if its reports meet every threshold; NotPromoted names each figure
        that falls short. Only an admin promotes; both outcomes are audited."""
        release = self.get(release_id)
        if by.role is not Role.admin:
            raise ReleaseError(f"only an admin promotes a release; {by.username} is {by.role}")
        shortfalls = thresholds.shortfalls(release.figures)
        promoted = bool(release.figures) and not shortfalls
        self._audit.append(kind=AuditKind.release, actor=by.username,
                           arguments={"release": release.id, "name": release.name},
                           result={"promoted": promoted, "thresholds": thresholds.model_dump(exclude_none=True),
                                   "figures": [f.model_dump() for f in release.figures],
                                   "shortfalls": [str(s) for s in shortfalls]})
        if not release.figures:
            raise NotPromoted(f"release {release.short} is not promoted: it holds no eval report (`plant-copilot "
                              f"release attach {release.short} --report PATH` adds one)", [])
        if shortfalls:
            raise NotPromoted(f"release {release.short} is not promoted: {len(shortfalls)} figure"
                              f"{'s fall' if len(shortfalls) > 1 else ' falls'} short of the thresholds", shortfalls)
        self._store.promote(release.id, by.username)
        return release

    def diff(self, before_id: str, after_id: str) -> ReleaseDiff:
        """What changed from one release to the other: entries added, removed or changed, and how each figure of
        each suite either holds moved."""
        before, after = self.get(before_id), self.get(after_id)
        suites_before = {f.suite: f for f in before.figures}
        suites_after = {f.suite: f for f in after.figures}
        moves = []
        for suite in sorted(suites_before.keys() | suites_after.keys()):
            a, b = suites_before.get(suite), suites_after.get(suite)
            for figure in Figure:
                va, vb = a.value(figure) if a else None, b.value(figure) if b else None
                if va is not None or vb is not None:
                    moves.append(FigureMove(suite=suite, figure=figure, before=va, after=vb))
        return ReleaseDiff(before=before, after=after, files=before.manifest.changes_to(after.manifest),
                           figures=moves)


def _one_per_suite(figures: list[SuiteFigures]) -> None:
    seen: dict[str, str] = {}
    for f in figures:
        if f.suite in seen:
            raise ReleaseError(f"two reports of suite {f.suite} ({seen[f.suite]}, {f.report}): give one per suite")
        seen[f.suite] = f.report
