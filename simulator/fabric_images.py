"""Images of dyed fabric as a shade camera at the end of the dyeing line sees them, and which defect the batch has.

The camera looks at the fabric beside the colourway's standard: the top ``STANDARD_ROWS`` rows of each image are
the standard patch, the rest the fabric under the same light. ``shade_odds`` is the process model: the batch's
shade deviation (delta E) makes it off shade, liquor heated faster than the recipe makes it uneven (streaks
along the fabric). ``render_swatch`` draws one class at a random shade, weave, light and noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from connectors.shots import STANDARD_ROWS, DefectClass
from simulator.part_images import SIZE

__all__ = ["DyeingState", "render_swatch", "shade_odds"]
NOMINAL_HEATING_C_PER_MIN = 2.0  # the recipe's heating rate (as simulator.machines.JetDyer)
_ROWS, _COLS = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)


@dataclass(frozen=True)
class DyeingState:
    """What decides a dyed batch's look: its shade deviation from the standard, the liquor's heating rate and how
    far the jet nozzle has run past its rated life."""

    shade_deviation: float  # delta E
    heating_rate_c_per_min: float = NOMINAL_HEATING_C_PER_MIN
    tool_worn: float = 0.0  # 0 within the nozzle's rated life .. 1 at twice it


def shade_odds(state: DyeingState) -> dict[DefectClass, float]:
    """The probability of each class for fabric dyed in ``state`` (they sum to 1): at the recipe nearly all is on
    shade; a delta E above 1 makes it off shade, heating faster than 2.5 degC/min or a worn nozzle uneven."""
    off = max(0.0, state.shade_deviation - 1.0)
    fast = max(0.0, state.heating_rate_c_per_min - NOMINAL_HEATING_C_PER_MIN - 0.5)
    weights = {
        DefectClass.ok: 1.0,
        DefectClass.off_shade: 0.008 + 0.6 * off * off,
        DefectClass.uneven: 0.008 + 1.5 * fast * fast + 0.6 * state.tool_worn,
    }
    total = sum(weights.values())
    return {label: w / total for label, w in weights.items()}


def _weave(rng: np.random.Generator) -> np.ndarray:
    """A woven texture around 0: warp and weft threads at a random pitch and angle."""
    pitch = rng.uniform(2.5, 4.0)
    tilt = rng.uniform(-0.15, 0.15)
    u = _COLS + tilt * _ROWS
    v = _ROWS - tilt * _COLS
    return 6.0 * np.sin(2 * np.pi * u / pitch) * np.sin(2 * np.pi * v / pitch + rng.uniform(0, 6))


def render_swatch(label: DefectClass, rng: np.random.Generator) -> np.ndarray:
    """A ``SIZE`` x ``SIZE`` uint8 greyscale image: the standard's patch on top, the fabric of class ``label``."""
    standard = rng.uniform(70, 180)
    fabric = np.full((SIZE, SIZE), standard + rng.normal(0, 1.5), dtype=np.float32)
    if label is DefectClass.off_shade:
        fabric += rng.choice([-1.0, 1.0]) * rng.uniform(9, 22)
    elif label is DefectClass.uneven:  # lighter and darker bands along the fabric (listing)
        for _ in range(int(rng.integers(2, 4))):
            centre, width = rng.uniform(0, SIZE), rng.uniform(3, 8)
            fabric += rng.choice([-1.0, 1.0]) * rng.uniform(9, 16) * np.exp(-((_COLS - centre) / width) ** 2)
    image = np.where(_ROWS < STANDARD_ROWS, standard, fabric) + _weave(rng)
    image[STANDARD_ROWS:STANDARD_ROWS + 2] = rng.uniform(10, 30)
    gain = rng.uniform(0.85, 1.15) + rng.uniform(-0.002, 0.002) * (_COLS - SIZE / 2)  # light across the field
    image = image * gain + rng.normal(0, rng.uniform(3, 6), size=(SIZE, SIZE))
    return np.clip(image, 0, 255).astype(np.uint8)
