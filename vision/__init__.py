"""The in-line camera's defect model: trained by ``python -m vision.train`` on the simulator's labelled images,
run with ONNX Runtime on the CPU."""

from vision.classifier import MODEL_PATH, BadImage, BadModel, Classification, DefectClassifier

__all__ = ["MODEL_PATH", "BadImage", "BadModel", "Classification", "DefectClassifier"]
