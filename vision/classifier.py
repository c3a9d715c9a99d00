"""The in-line cameras' defect models at run time: ONNX files, run by ONNX Runtime on one CPU thread.

    classifier = DefectClassifier()          # the committed model of housings, vision/model/housing.onnx
    result = classifier.classify_png(png)    # Classification(defect=DefectClass.flash, confidence=0.98)
    DefectClassifier(model_path(Subject.fabric))   # the dyed fabric's

An image that is not a greyscale picture of the size the model was trained on raises ``BadImage`` with one
line that says what was wrong; a model file that is missing or not this model's raises ``BadModel``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image, UnidentifiedImageError

from connectors.shots import DefectClass, Subject
from vision.features import view_of

__all__ = ["MODEL_DIR", "MODEL_PATH", "BadImage", "BadModel", "Classification", "DefectClassifier", "model_path"]

MODEL_DIR = Path(__file__).resolve().parent / "model"


def model_path(subject: Subject) -> Path:
    """Where the committed model of ``subject`` is."""
    return MODEL_DIR / f"{subject.value}.onnx"


MODEL_PATH = model_path(Subject.housing)


class BadImage(ValueError):
    """The bytes or array are not an image the model can read; the message says why."""


class BadModel(RuntimeError):
    """The model file is missing, unreadable or not a defect model; the message names the file."""


@dataclass(frozen=True)
class Classification:
    """What the model sees in one image: the defect class and its probability."""

    defect: DefectClass
    confidence: float


class DefectClassifier:
    """A defect model loaded once (its subject, classes and image size from the file); ``classify`` is safe to
    call from one thread at a time per instance."""

    def __init__(self, model_path: Path = MODEL_PATH) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ONNX Runtime raises its own exception types for a missing or broken file
            raise BadModel(f"defect model {model_path}: {exc}") from None
        meta = self._session.get_modelmeta().custom_metadata_map
        try:
            self.subject = Subject(meta["subject"])
            self.classes = [DefectClass(name) for name in meta["classes"].split(",")]
            self.image_size = int(meta["image_size"])
        except (KeyError, ValueError) as exc:
            raise BadModel(f"defect model {model_path} lacks its subject, classes or image size ({exc})") from None
        self._view, self._features = view_of(self.subject)
        self._input = self._session.get_inputs()[0].name
        self._outputs = [o.name for o in self._session.get_outputs()]

    def classify(self, image: np.ndarray) -> Classification:
        """The class of one 2-D uint8 greyscale image of ``image_size`` pixels a side."""
        return self.classify_many([image])[0]

    def classify_many(self, images: list[np.ndarray]) -> list[Classification]:
        """The class of each image, in order (one call of the model for all)."""
        if not images:
            return []
        batch = np.stack([self._view(self._checked(image)) for image in images]).reshape(len(images), self._features)
        labels, probabilities = self._session.run(self._outputs, {self._input: batch})
        return [Classification(self.classes[int(label)], round(float(p[int(label)]), 4))
                for label, p in zip(labels, probabilities, strict=True)]

    def classify_png(self, data: bytes) -> Classification:
        """The class of one encoded image (PNG, as the camera sends it)."""
        return self.classify(self.decode(data))

    def decode(self, data: bytes) -> np.ndarray:
        """An encoded image as a 2-D uint8 greyscale array; ``BadImage`` if it is not one."""
        try:
            with Image.open(io.BytesIO(data)) as picture:
                return np.asarray(picture.convert("L"))
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise BadImage(f"not an image the camera sends ({len(data)} bytes): {exc}") from None

    def _checked(self, image: np.ndarray) -> np.ndarray:
        array = np.asarray(image)
        if array.shape != (self.image_size, self.image_size):
            raise BadImage(f"the model reads {self.image_size} x {self.image_size} greyscale images, "
                           f"not an array of shape {array.shape}")
        return array
