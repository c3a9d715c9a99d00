"""What makes a copilot decide, frozen as a manifest: each part's name, where it is and its sha256.

The parts: the model (the sha256 of the GGUF file the local model loads; a served or scripted model by its
name, its checksum unknown), the prompt (system prompt and tool schemas, as built for the model) and the
examples it is shown, the procedures, policy, plant, twin and monitor files, the users' roles (never their
password hashes) and the lexicon. The lexicon is built by code from the plant file at every request
(copilot/understanding/, copilot/procedures/grounding.py), so its entry is the digest of those modules. A
process that runs no model (the monitor, the MCP server) has no model, prompt or examples entry.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from connectors.settings import ConnectorSettings
from connectors.site import REPO
from copilot.agent.prompt import Prompt, prompt_of
from copilot.identity.users import UserDirectory
from copilot.llm.absent import NoModel
from copilot.llm.replay import model_name
from copilot.llm.weights import ModelWeights, known_sha256
from copilot.parts import configured
from copilot.settings import CopilotSettings
from policies.rules import Policy
from twin.file import site_twin
from twin.settings import TwinSettings

MODEL_PARTS = ("model", "prompt", "examples")
"""The entries that belong to the model: a process without one is held to every other entry."""
LEXICON_CODE = (*sorted((REPO / "copilot" / "understanding").glob("*.py")), REPO / "copilot" / "procedures" /
                "grounding.py")
"""The modules that build the lexicon from the plant file and read requests against it."""


class Change(StrEnum):
    """How an entry moved from one manifest to another."""

    added = "added"
    removed = "removed"
    changed = "changed"


class Entry(BaseModel):
    """One part: its name, where it is (a file, a folder, or a model's name) and its sha256; None: the file is
    absent, or (``named``) a model known by its name only, its checksum unknown."""

    model_config = ConfigDict(frozen=True)

    name: str
    path: str
    sha256: str | None
    named: bool = False

    @property
    def digest(self) -> str:
        """What the release id counts of it: its sha256, else the model's name, else that it is absent."""
        return self.sha256 or (f"named {self.path}" if self.named else "absent")

    @property
    def short(self) -> str:
        """Its digest as a person reads it: 12 hex digits, unknown (a model by name) or absent."""
        return self.sha256[:12] if self.sha256 else ("unknown" if self.named else "absent")


class EntryChange(BaseModel):
    """An entry added, removed or changed between two manifests (before → after)."""

    name: str
    change: Change
    before: Entry | None
    after: Entry | None

    def line(self) -> str:
        """``changed  policy  config/policy.yaml  1a2b… → 9f8e…`` for a terminal."""
        where = (self.after or self.before).path
        digests = " → ".join(e.short for e in (self.before, self.after) if e is not None)
        return f"{self.change:<8} {self.name:<10} {where}  {digests}"


class Manifest(BaseModel):
    """The entries of one configuration; its digest over them is the id of a release that freezes it."""

    entries: tuple[Entry, ...]

    @property
    def digest(self) -> str:
        counted = sorted([e.name, e.digest] for e in self.entries)
        return hashlib.sha256(json.dumps(counted, separators=(",", ":")).encode()).hexdigest()

    def changes_to(self, other: Manifest) -> list[EntryChange]:
        """What differs in ``other`` from this manifest, entry by entry, in name order."""
        mine, theirs = {e.name: e for e in self.entries}, {e.name: e for e in other.entries}
        found = []
        for name in sorted(mine.keys() | theirs.keys()):
            before, after = mine.get(name), theirs.get(name)
            if before is None or after is None:
                found.append(EntryChange(name=name, change=Change.added if before is None else Change.removed,
                                         before=before, after=after))
            elif before.digest != after.digest:
                found.append(EntryChange(name=name, change=Change.changed, before=before, after=after))
        return found


def manifest_of(settings: CopilotSettings, connectors: ConnectorSettings, twin: TwinSettings, model: Any) -> Manifest:
    """The manifest of a copilot opened on these settings with ``model``, as copilot/wiring.py would load it; the
    policy and twin files are read as it would, so files it would refuse are refused here (each its own error)."""
    plant, tools, procedures = configured(settings, connectors)
    Policy.load(settings.policy_file, tools=tools)
    site_twin(twin.file, plant)
    entries = []
    if not isinstance(model, NoModel):
        prompt = prompt_of(plant, tools, procedures, settings, model)
        entries += [_model_entry(model), _prompt_entry(prompt), _examples_entry(prompt)]
    if settings.procedures:
        entries.append(_file("procedures", settings.procedures_file))
    entries += [_file("policy", settings.policy_file), _file("plant", connectors.plant_file),
                _file("twin", twin.file), _users_entry(settings.users_file), _file("monitor", settings.monitor_file),
                Entry(name="lexicon", path=f"{_shown(LEXICON_CODE[0].parent)}/*.py, {_shown(LEXICON_CODE[-1])}",
                      sha256=_digest([[_shown(p), p.read_text(encoding="utf-8")] for p in LEXICON_CODE]))]
    return Manifest(entries=tuple(entries))


def _model_entry(model: Any) -> Entry:
    """The GGUF file the local model loads, by its sha256; any other model by its name, checksum unknown."""
    weights, folder = getattr(model, "weights", None), getattr(model, "model_dir", None)
    if isinstance(weights, ModelWeights) and folder is not None:
        path = Path(folder) / weights.file_name
        if path.is_file():
            return Entry(name="model", path=_shown(path), sha256=known_sha256(path))
        return Entry(name="model", path=weights.file_name, sha256=None, named=True)
    return Entry(name="model", path=model_name(model), sha256=None, named=True)


def _prompt_entry(prompt: Prompt) -> Entry:
    return Entry(name="prompt", path="system prompt and tool schemas, built at start",
                 sha256=_digest({"system": prompt.system, "tools": prompt.tools}))


def _examples_entry(prompt: Prompt) -> Entry:
    turns = [{"type": m.type, "content": m.content,
              "calls": [{"name": c["name"], "args": c["args"]} for c in getattr(m, "tool_calls", None) or []]}
             for m in prompt.shots]
    return Entry(name="examples", path=f"{len(turns) // 2} procedure examples, built at start",
                 sha256=_digest(turns))


def _users_entry(path: Path) -> Entry:
    """The users' roles only: the hashes and display names are no part of what decides."""
    roles = UserDirectory.load(path).roles() if path.is_file() else None
    return Entry(name="users", path=f"{_shown(path)} (roles)", sha256=None if roles is None else _digest(roles))


def _file(name: str, path: Path) -> Entry:
    return Entry(name=name, path=_shown(path),
                 sha256=hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                     default=str).encode()).hexdigest()


def _shown(path: Path) -> str:
    """The path relative to the repository where it is inside it, else as it is."""
    resolved = path.resolve()
    return str(resolved.relative_to(REPO)) if resolved.is_relative_to(REPO) else str(path)
