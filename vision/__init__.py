"""The in-line cameras' defect models: trained by ``python -m vision.train`` on the simulator's labelled images,
run with ONNX Runtime on the CPU."""

from vision.classifier import MODEL_DIR, MODEL_PATH, BadImage, BadModel, Classification, DefectClassifier, model_path

__all__ = ["MODEL_DIR", "MODEL_PATH", "BadImage", "BadModel", "Classification", "DefectClassifier", "model_path"]
