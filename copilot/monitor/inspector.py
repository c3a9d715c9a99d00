"""The inspector: classifies each new picture of the plant's in-line cameras and records the results in the MES.

Every pass it asks each camera station for the shots taken since the last pass, classifies each picture with
the defect model (``vision``), and records one MES inspection per run of shots of one machine and material lot:
parts inspected, defects found and how many of each class. It reads and records results only, as a quality
station feeds its MES; it changes nothing on the plant, so no gate stands in its way. The first pass starts
from the pictures taken after it, so a restarted inspector never counts a part twice; each record carries an
idempotency key made of the station and the shots it covers, so a retried write is made once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from connectors.camera import CameraClient
from connectors.errors import ConnectorError
from connectors.mes import MesClient
from connectors.records import Inspection, InspectionCreate
from connectors.settings import ConnectorSettings
from connectors.shots import DefectClass, Shot, StationInfo, Subject
from vision import BadImage, DefectClassifier, model_path

__all__ = ["INSPECTOR", "InspectionPass", "Inspector"]

INSPECTOR = "inspector"  # who the MES records as the inspections' author
_PAGE = 100


@dataclass
class InspectionPass:
    """What one pass did: the MES records it made, and the pictures it could not read (with why)."""

    recorded: list[Inspection] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # stations or writes that failed, with the reason


class Inspector:
    """Reads the cameras over ``camera``, classifies with the model of what each station inspects (``classifiers``,
    else the committed one, loaded on first need) and records in ``mes``."""

    def __init__(self, camera: CameraClient, mes: MesClient,
                 classifiers: dict[Subject, DefectClassifier] | None = None) -> None:
        self.camera, self.mes = camera, mes
        self._classifiers = dict(classifiers or {})
        self._after: dict[str, int] = {}  # station -> the last shot already inspected

    @classmethod
    @asynccontextmanager
    async def open(cls, connectors: ConnectorSettings) -> AsyncIterator[Inspector]:
        """An inspector on the configured cameras and MES with the committed defect models, closed after use."""
        async with CameraClient.from_settings(connectors) as camera, MesClient.from_settings(connectors) as mes:
            yield cls(camera, mes)

    def classifier(self, subject: Subject) -> DefectClassifier:
        """The model that classifies ``subject``'s images."""
        if subject not in self._classifiers:
            self._classifiers[subject] = DefectClassifier(model_path(subject))
        return self._classifiers[subject]

    async def check(self) -> InspectionPass:
        """One pass over every station; a station that does not answer is tried again next pass."""
        done = InspectionPass()
        try:
            stations = await self.camera.stations()
        except ConnectorError as exc:
            done.unreachable.append(f"cameras: {exc}")
            return done
        for station in stations:
            if station.id not in self._after:  # first sight of it: inspect from now on
                self._after[station.id] = station.last_seq
                continue
            if station.last_seq < self._after[station.id]:  # the camera started again from its first shot
                self._after[station.id] = 0
            try:
                await self._inspect(station, done)
            except ConnectorError as exc:
                done.unreachable.append(f"{station.id}: {exc}")
        return done

    async def _inspect(self, info: StationInfo, done: InspectionPass) -> None:
        """Classify the station's new shots and record each run of one machine and lot, moving on after each."""
        station, classifier = info.id, self.classifier(info.subject)
        runs: list[list[tuple[Shot, DefectClass | None]]] = []
        for shot in await self._new_shots(station):
            try:
                found = classifier.classify_png(await self.camera.image(station, shot.id)).defect
            except BadImage as exc:
                done.unreadable.append(f"{shot.id}: {exc}")
                found = None
            if runs and (runs[-1][0][0].machine_id, runs[-1][0][0].material_lot) == (shot.machine_id,
                                                                                      shot.material_lot):
                runs[-1].append((shot, found))
            else:
                runs.append([(shot, found)])
        for run in runs:
            seen = [(shot, found) for shot, found in run if found is not None]
            if seen:
                done.recorded.append(await self._record(station, seen))
            self._after[station] = run[-1][0].seq

    async def _new_shots(self, station: str) -> list[Shot]:
        shots: list[Shot] = []
        while True:
            after = shots[-1].seq if shots else self._after[station]
            page = await self.camera.shots(station, after=after, limit=_PAGE)
            shots += page
            if len(page) < _PAGE:
                return shots

    async def _record(self, station: str, seen: list[tuple[Shot, DefectClass]]) -> Inspection:
        machine_id, lot = seen[0][0].machine_id, seen[0][0].material_lot
        counts = Counter(found for _, found in seen if found.is_defect)
        first, last = seen[0][0].id, seen[-1][0].id
        record = InspectionCreate(
            machine_id=machine_id, inspected=len(seen), defects=sum(counts.values()),
            defect_type=counts.most_common(1)[0][0].value if counts else "", material_lot=lot,
            defects_by_class={found.value: n for found, n in sorted(counts.items())}, taken_at=seen[-1][0].sim_time,
            note=f"camera {station}, shots {first} to {last}, classified by the defect model",
            requested_by=INSPECTOR)
        return await self.mes.record_inspection(record, idempotency_key=f"camera:{station}:{first}:{last}")
