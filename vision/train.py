"""Train the defect model on the simulator's labelled images and write it with its evaluation report.

    pip install -e '.[train]'
    python -m vision.train                # vision/model/defects.onnx and vision/model/REPORT.md

Images come from the simulator's renderer (``simulator.part_images``) in this process, the classes in equal
shares; the held-out images are drawn from another seed than the training ones. The model is a small
scikit-learn MLP over ``vision.features.part_view``, exported to ONNX with skl2onnx.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from connectors.shots import DefectClass
from simulator.part_images import SIZE, render_part
from vision.classifier import MODEL_PATH, DefectClassifier
from vision.features import FEATURES, part_view

__all__ = ["CLASSES", "Evaluation", "evaluate", "labelled_images", "main"]

CLASSES = list(DefectClass)


def labelled_images(count: int, seed: int) -> tuple[list[np.ndarray], list[DefectClass]]:
    """``count`` rendered images, the classes in equal shares and shuffled, with their true classes."""
    rng = np.random.default_rng(seed)
    order = np.arange(count) % len(CLASSES)
    rng.shuffle(order)
    labels = [CLASSES[i] for i in order]
    return [render_part(label, rng) for label in labels], labels


def _fit(images: list[np.ndarray], labels: list[DefectClass], seed: int, hidden: int):
    from sklearn.neural_network import MLPClassifier

    features = np.stack([part_view(image) for image in images])
    targets = np.array([CLASSES.index(label) for label in labels])
    model = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=1e-4, batch_size=128, max_iter=200,
                          early_stopping=True, random_state=seed)
    return model.fit(features, targets)


def _export(model, path: Path) -> None:
    from skl2onnx import to_onnx

    onnx_model = to_onnx(model, np.zeros((1, FEATURES), dtype=np.float32), options={"zipmap": False},
                         target_opset=17)
    for key, value in (("classes", ",".join(CLASSES)), ("image_size", str(SIZE))):
        entry = onnx_model.metadata_props.add()
        entry.key, entry.value = key, value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(onnx_model.SerializeToString())


@dataclass(frozen=True)
class Evaluation:
    """How a model did on labelled images: accuracy, each class's recall and precision, the confusion matrix."""

    count: int
    accuracy: float
    recall: dict[DefectClass, float]
    precision: dict[DefectClass, float]
    confusion: list[list[int]]  # rows: true class, columns: predicted, in DefectClass order
    images_per_s: float


def evaluate(classifier: DefectClassifier, images: list[np.ndarray], labels: list[DefectClass]) -> Evaluation:
    """Classify each image alone (as the inspector does) and compare with the truth."""
    start = time.perf_counter()
    found = [classifier.classify(image).defect for image in images]
    elapsed = time.perf_counter() - start
    confusion = np.zeros((len(CLASSES), len(CLASSES)), dtype=int)
    for truth, guess in zip(labels, found, strict=True):
        confusion[CLASSES.index(truth), CLASSES.index(guess)] += 1
    diagonal = np.diag(confusion)
    recall = {c: float(diagonal[i] / max(1, confusion[i].sum())) for i, c in enumerate(CLASSES)}
    precision = {c: float(diagonal[i] / max(1, confusion[:, i].sum())) for i, c in enumerate(CLASSES)}
    return Evaluation(len(images), float(diagonal.sum() / max(1, len(images))), recall, precision,
                      confusion.tolist(), len(images) / elapsed if elapsed > 0 else float("inf"))


def report(result: Evaluation, command: str, seed: int, trained_on: int, model_path: Path) -> str:
    """The evaluation as Markdown: figures, per-class table, confusion matrix and how to reproduce it."""
    rows = [f"| {c} | {result.recall[c]:.1%} | {result.precision[c]:.1%} |" for c in CLASSES]
    header = "| true \\ predicted | " + " | ".join(CLASSES) + " |"
    matrix = [f"| {c} | " + " | ".join(str(n) for n in row) + " |" for c, row in zip(CLASSES, result.confusion,
                                                                                        strict=True)]
    return "\n".join([
        "# Defect model: evaluation on held-out images", "",
        f"Model: `{model_path.name}` ({model_path.stat().st_size / 1024:.0f} KiB), a scikit-learn MLP over the "
        "part's standard view (`vision/features.py`), run by ONNX Runtime on one thread.",
        f"Trained on {trained_on} rendered images (seed {seed}); evaluated on {result.count} others "
        f"(seed {seed + 1}), the four classes in equal shares.", "",
        f"Produced by: `{command}`", "",
        f"- accuracy: **{result.accuracy:.2%}**",
        f"- speed while evaluating: {result.images_per_s:.0f} images/s, one image per call, one core "
        "(`bench/bench_vision.py` measures it on its own)", "",
        "| class | recall | precision |", "| --- | --- | --- |", *rows, "",
        "Confusion matrix (rows: true class, columns: what the model said):", "",
        header, "| --- |" + " --- |" * len(CLASSES), *matrix, "",
    ])


def main(argv: list[str] | None = None) -> int:
    """Train, export, evaluate on held-out images, and write the model and its report."""
    parser = argparse.ArgumentParser(prog="python -m vision.train", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=29, help="seed of the training images (held-out: seed + 1)")
    parser.add_argument("--train", type=int, default=12000, help="training images")
    parser.add_argument("--test", type=int, default=4000, help="held-out images")
    parser.add_argument("--hidden", type=int, default=64, help="units of the hidden layer")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the ONNX model")
    args = parser.parse_args(argv)
    try:
        model = _fit(*labelled_images(args.train, args.seed), args.seed, args.hidden)
    except ImportError as exc:
        print(f"training needs the [train] extra (pip install -e '.[train]'): {exc}", file=sys.stderr)
        return 2
    _export(model, args.out)
    result = evaluate(DefectClassifier(args.out), *labelled_images(args.test, args.seed + 1))
    command = "python -m vision.train " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(result, command.strip(), args.seed, args.train, args.out)
    args.out.with_name("REPORT.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
