"""Inspection stations of the plant file: in-line cameras, each at the end of a line, behind the machine it follows."""

from __future__ import annotations

from pydantic import Field

from connectors.catalogue import _Strict

__all__ = ["CameraStation"]


class CameraStation(_Strict):
    """An in-line camera: which line it sits on, which machine's parts it photographs, and how often."""

    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str
    line: str
    follows: str = Field(description="the machine whose parts pass under the camera")
    every_s: float = Field(default=30.0, gt=0, le=3600, description="simulated seconds between two shots")
