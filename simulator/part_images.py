"""Images of moulded housings as an in-line camera sees them, and which defect the process makes.

``defect_odds`` is the process model: how likely each defect class is for the moulder's state (barrel
temperature and hold pressure against the process window, the material lot). ``render_part`` draws one
part of a class as a ``SIZE`` x ``SIZE`` greyscale image, at a random place, angle, size and light, with
sensor noise, so that telling the classes apart takes a model and not a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from connectors.shots import DefectClass

__all__ = ["SIZE", "MouldingState", "defect_odds", "draw_class", "render_part"]

SIZE = 64  # pixels a side
NOMINAL_BARREL_C = 230.0  # the centre of the resin's window (as simulator.machines.InjectionMoulder)
NOMINAL_HOLD_BAR = 650.0
_HALF_LENGTH, _HALF_WIDTH, _CORNER = 15.0, 10.0, 4.0  # the housing's outline, pixels
_GRID = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) + 0.5  # (y, x) of every pixel centre


@dataclass(frozen=True)
class MouldingState:
    """What decides a moulded part's defects: the true barrel temperature, the hold pressure, the lot and how far
    the mould has run past its rated life."""

    barrel_temp_c: float
    hold_pressure_bar: float = NOMINAL_HOLD_BAR
    bad_lot: bool = False
    tool_worn: float = 0.0  # 0 within the mould's rated life .. 1 at twice it


def defect_odds(state: MouldingState) -> dict[DefectClass, float]:
    """The probability of each class for a part made in ``state`` (they sum to 1): inside the window nearly
    every part is good; hot, overpacked or a mould worn past its life gives flash, cold or underpacked short shots,
    much too hot or an off-spec lot burn marks."""
    hot = max(0.0, state.barrel_temp_c - NOMINAL_BARREL_C - 5.0) / 10.0
    cold = max(0.0, NOMINAL_BARREL_C - 5.0 - state.barrel_temp_c) / 10.0
    scorch = max(0.0, state.barrel_temp_c - NOMINAL_BARREL_C - 15.0) / 10.0
    packed = max(0.0, state.hold_pressure_bar - NOMINAL_HOLD_BAR - 50.0) / 100.0
    starved = max(0.0, NOMINAL_HOLD_BAR - 50.0 - state.hold_pressure_bar) / 100.0
    weights = {
        DefectClass.ok: 1.0,
        DefectClass.flash: 0.008 + 0.6 * hot * hot + 0.5 * packed * packed + 0.6 * state.tool_worn,
        DefectClass.short_shot: 0.008 + 0.6 * cold * cold + 0.5 * starved * starved,
        DefectClass.burn_mark: 0.004 + 0.5 * scorch * scorch + (0.3 if state.bad_lot else 0.0),
    }
    total = sum(weights.values())
    return {label: w / total for label, w in weights.items()}


def draw_class(odds: dict[DefectClass, float], rng: np.random.Generator) -> DefectClass:
    """One class drawn with the given probabilities."""
    labels = list(odds)
    return labels[int(rng.choice(len(labels), p=np.array([odds[x] for x in labels])))]


def _part_frame(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """Each pixel's coordinates (u along the part, v across) for a random placement, and the part's scale."""
    cy, cx = SIZE / 2 + rng.uniform(-6, 6, size=2)
    angle = rng.uniform(0, np.pi)
    scale = rng.uniform(0.93, 1.07)
    dy, dx = _GRID[0] - cy, _GRID[1] - cx
    cos, sin = np.cos(angle), np.sin(angle)
    return (dx * cos + dy * sin) / scale, (-dx * sin + dy * cos) / scale, scale


def _outline(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Signed distance to the housing's rounded-rectangle outline: negative inside, pixels."""
    qu = np.abs(u) - (_HALF_LENGTH - _CORNER)
    qv = np.abs(v) - (_HALF_WIDTH - _CORNER)
    outside = np.hypot(np.maximum(qu, 0), np.maximum(qv, 0))
    return outside + np.minimum(np.maximum(qu, qv), 0) - _CORNER


def _coverage(distance: np.ndarray) -> np.ndarray:
    """How much of a pixel a shape covers, from its signed distance (a one-pixel soft edge)."""
    return np.clip(0.5 - distance, 0.0, 1.0)


def _defect_layers(label: DefectClass, u: np.ndarray, v: np.ndarray, rng: np.random.Generator,
                   body: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The part's coverage after the defect, extra material (flash) and dark marks (burn), each 0..1."""
    distance = _outline(u, v)
    fin = np.zeros_like(body)
    burn = np.zeros_like(body)
    if label is DefectClass.flash:  # a thin fin along part of the parting line, on one side or two
        side = rng.choice([-1.0, 1.0])
        start, length = rng.uniform(-_HALF_LENGTH, _HALF_LENGTH - 12), rng.uniform(12, 22)
        along = (u - start >= 0) & (u - start <= length) & (side * v > 0)
        ragged = 2.2 + 1.2 * np.sin(u * rng.uniform(1.2, 2.0) + rng.uniform(0, 6))
        fin = np.where(along & (distance > 0) & (distance < ragged), 1.0, 0.0) * rng.uniform(0.7, 0.95)
    elif label is DefectClass.short_shot:  # the far end never filled: a ragged edge well short of the outline
        end = rng.choice([-1.0, 1.0])
        reach = _HALF_LENGTH - rng.uniform(7, 12) + 1.5 * np.sin(v * rng.uniform(0.5, 1.0) + rng.uniform(0, 6))
        body = body * _coverage(end * u - reach)
    elif label is DefectClass.burn_mark:  # one or two dark streaks inside the part
        for _ in range(int(rng.integers(1, 3))):
            bu, bv = rng.uniform(-10, 10), rng.uniform(-6, 6)
            length, width, tilt = rng.uniform(3, 7), rng.uniform(1.6, 2.6), rng.uniform(0, np.pi)
            du, dv = u - bu, v - bv
            a = du * np.cos(tilt) + dv * np.sin(tilt)
            b = -du * np.sin(tilt) + dv * np.cos(tilt)
            burn = np.maximum(burn, np.exp(-((a / length) ** 2 + (b / width) ** 2)))
        burn = burn * body
    return body, fin, burn


def render_part(label: DefectClass, rng: np.random.Generator) -> np.ndarray:
    """A ``SIZE`` x ``SIZE`` uint8 greyscale image of one housing of class ``label`` on the conveyor belt."""
    u, v, _ = _part_frame(rng)
    body = _coverage(_outline(u, v))
    body, fin, burn = _defect_layers(label, u, v, rng, body)
    boss = _coverage(np.hypot(u - rng.uniform(-3, 3), v) - 3.0) * body  # the screw boss, moulded in
    belt = rng.uniform(45, 75) + rng.normal(0, 3.0, size=(SIZE, SIZE))
    plastic = rng.uniform(165, 205)
    image = belt * (1 - np.maximum(body, fin)) + plastic * body + 0.85 * plastic * fin * (1 - body)
    image = image - 45.0 * boss - rng.uniform(90, 130) * burn
    gy, gx = rng.uniform(-0.6, 0.6, size=2)  # uneven light across the field
    image = image * rng.uniform(0.85, 1.15) + gy * (_GRID[0] - SIZE / 2) + gx * (_GRID[1] - SIZE / 2)
    image = image + rng.normal(0, rng.uniform(3, 7), size=(SIZE, SIZE))
    return np.clip(image, 0, 255).astype(np.uint8)
