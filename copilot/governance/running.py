"""At start: whether a copilot of this configuration may run, and as which release.

A site that never promoted a release runs unreleased, without a check (demos, tests and evals on fresh data
folders do). Once one is promoted, a copilot runs as it only when its manifest is the release's, entry by
entry; one that differs is refused, naming the entries, unless its settings allow it to run unreleased
(``COPILOT_UNRELEASED=1``, ``plant-copilot --unreleased``). A process without a model (the monitor, the MCP
server) is held to every entry but the model's own.
"""

from __future__ import annotations

from typing import Any

from connectors.settings import ConnectorSettings
from copilot.errors import ReleaseRefused
from copilot.governance.manifest import MODEL_PARTS, Manifest, manifest_of
from copilot.governance.releases import SHORT
from copilot.llm.absent import NoModel
from copilot.settings import CopilotSettings
from copilot.store.releases import ReleaseStore
from twin.settings import TwinSettings


def admitted(settings: CopilotSettings, connectors: ConnectorSettings, twin: TwinSettings, model: Any) -> str | None:
    """The id of the promoted release a copilot of these settings and this model runs as; None: it runs
    unreleased (none was ever promoted here, or it differs and the settings allow it). ReleaseRefused when it
    differs from the promoted release without leave."""
    store = ReleaseStore(settings.audit_db)
    try:
        promotion = store.running()
        stored = store.get(promotion.release_id) if promotion else None
    finally:
        store.close()
    if stored is None:
        return None
    changes = Manifest.model_validate_json(stored.manifest).changes_to(manifest_of(settings, connectors, twin, model))
    if isinstance(model, NoModel):
        changes = [c for c in changes if c.name not in MODEL_PARTS]
    if not changes:
        return stored.id
    if settings.unreleased:
        return None
    named = ", ".join(f"{c.name} {c.change} ({(c.after or c.before).path})" for c in changes)
    release = stored.id[:SHORT] + (f" ({stored.name})" if stored.name else "")
    raise ReleaseRefused(
        f"this configuration is not the promoted release {release}: {named}; run the release's configuration, "
        "make a release of this one and promote it (`plant-copilot release create`, `release promote ID`), or run "
        "it unreleased (COPILOT_UNRELEASED=1 or `plant-copilot --unreleased`)")
