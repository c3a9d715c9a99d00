"""What a defect model sees of an image: for a housing, the part cut out, turned to a standard pose and normalised
in light; for fabric, the fabric against the standard's patch above it (``swatch_view``).

A camera sees each housing at its own place and angle under its own light; the model should not have to learn
that. ``part_view`` finds the part (brighter than the belt), takes its centre and long axis from the image
moments, resamples a ``VIEW_LENGTH`` x ``VIEW_WIDTH`` window along that axis (its heavier end first) and scales
the grey levels from belt (0) to plastic (1). Training and classifying use this one function.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.ndimage import map_coordinates

from connectors.shots import STANDARD_ROWS, Subject

__all__ = ["FEATURES", "SWATCH_FEATURES", "VIEW_LENGTH", "VIEW_WIDTH", "part_view", "swatch_view", "view_of"]

VIEW_LENGTH, VIEW_WIDTH = 48, 32  # pixels of the standard view, along and across the part
FEATURES = VIEW_LENGTH * VIEW_WIDTH
_U = np.arange(VIEW_LENGTH, dtype=np.float32) - VIEW_LENGTH / 2 + 0.5
_V = np.arange(VIEW_WIDTH, dtype=np.float32) - VIEW_WIDTH / 2 + 0.5


def _levels(image: np.ndarray) -> tuple[float, float]:
    """The belt's grey level (the frame's border) and the plastic's (the bright end of the histogram)."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    return float(np.median(border)), float(np.percentile(image, 97))


def part_view(image: np.ndarray) -> np.ndarray:
    """The part of a 2-D greyscale image in its standard pose, as ``FEATURES`` float32 values (about 0..1)."""
    img = np.asarray(image, dtype=np.float32)
    belt, plastic = _levels(img)
    span = max(plastic - belt, 1.0)
    mask = img > belt + 0.5 * span
    ys, xs = np.nonzero(mask)
    if len(ys) < 2:  # nothing on the belt: an empty view
        return np.zeros(FEATURES, dtype=np.float32)
    cy, cx = ys.mean(), xs.mean()
    dy, dx = ys - cy, xs - cx
    angle = 0.5 * np.arctan2(2 * (dx * dy).mean(), (dx * dx).mean() - (dy * dy).mean())
    cos, sin = np.cos(angle), np.sin(angle)
    along, across = dx * cos + dy * sin, -dx * sin + dy * cos
    su = 1.0 if (along ** 3).mean() >= 0 else -1.0  # the heavier end first, the heavier side up
    sv = 1.0 if (across ** 3).mean() >= 0 else -1.0
    u, v = np.meshgrid(su * _U, sv * _V, indexing="ij")
    rows = cy + u * sin + v * cos
    cols = cx + u * cos - v * sin
    view = map_coordinates(img, [rows.ravel(), cols.ravel()], order=1, mode="nearest")
    return ((view - belt) / span).astype(np.float32)


SWATCH_FEATURES = 64 + 16 + 64  # the fabric's column profile, its row profile, 8 x 8 blocks


def swatch_view(image: np.ndarray) -> np.ndarray:
    """A fabric camera's image as ``SWATCH_FEATURES`` float32 values: the fabric relative to the standard above
    it (0 where they match), column by column so that light across the field cancels out."""
    img = np.asarray(image, dtype=np.float32)
    size = img.shape[1]
    standard = img[2:STANDARD_ROWS - 2].mean(axis=0)
    columns = np.arange(size, dtype=np.float32)
    slope, level = np.polyfit(columns, standard, 1)  # the light falls on the standard as on the fabric
    fabric = img[STANDARD_ROWS + 2:STANDARD_ROWS + 50] / np.maximum(level + slope * columns, 1.0) - 1.0
    rows = fabric.mean(axis=1).reshape(16, -1).mean(axis=1)
    blocks = fabric.reshape(8, fabric.shape[0] // 8, 8, size // 8).mean(axis=(1, 3)).ravel()
    return (8.0 * np.concatenate([fabric.mean(axis=0), rows, blocks])).astype(np.float32)


def view_of(subject: Subject) -> tuple[Callable[[np.ndarray], np.ndarray], int]:
    """What the model of ``subject`` sees of an image, and how many values that is."""
    return (part_view, FEATURES) if subject is Subject.housing else (swatch_view, SWATCH_FEATURES)
