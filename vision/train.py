"""Train the defect models on the simulator's labelled images and write each with its evaluation report.

    pip install -e '.[train]'
    python -m vision.train                     # vision/model/{housing,fabric}.onnx and REPORT-{housing,fabric}.md
    python -m vision.train --subject fabric    # one of them

Images come from the simulator's renderers (``simulator.part_images``, ``simulator.fabric_images``) in this
process, the classes in equal shares; the held-out images are drawn from another seed than the training ones.
Each model is a small scikit-learn MLP over its subject's view (``vision.features``), exported with skl2onnx.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from connectors.shots import DefectClass, Subject
from simulator.fabric_images import render_swatch
from simulator.part_images import SIZE, render_part
from vision.classifier import DefectClassifier, model_path
from vision.features import view_of

__all__ = ["Evaluation", "evaluate", "labelled_images", "main"]

RENDERERS = {Subject.housing: render_part, Subject.fabric: render_swatch}


def labelled_images(count: int, seed: int, subject: Subject = Subject.housing
                    ) -> tuple[list[np.ndarray], list[DefectClass]]:
    """``count`` rendered images of ``subject``, its classes in equal shares and shuffled, with their classes."""
    rng = np.random.default_rng(seed)
    classes = subject.classes
    order = np.arange(count) % len(classes)
    rng.shuffle(order)
    labels = [classes[i] for i in order]
    return [RENDERERS[subject](label, rng) for label in labels], labels


def _fit(subject: Subject, images: list[np.ndarray], labels: list[DefectClass], seed: int, hidden: int):
    from sklearn.neural_network import MLPClassifier

    view, _ = view_of(subject)
    features = np.stack([view(image) for image in images])
    targets = np.array([subject.classes.index(label) for label in labels])
    model = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=1e-4, batch_size=128, max_iter=200,
                          early_stopping=True, random_state=seed)
    return model.fit(features, targets)


def _export(subject: Subject, model, path: Path) -> None:
    from skl2onnx import to_onnx

    _, features = view_of(subject)
    onnx_model = to_onnx(model, np.zeros((1, features), dtype=np.float32), options={"zipmap": False},
                         target_opset=17)
    for key, value in (("subject", subject.value), ("classes", ",".join(subject.classes)), ("image_size", str(SIZE))):
        entry = onnx_model.metadata_props.add()
        entry.key, entry.value = key, value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(onnx_model.SerializeToString())


@dataclass(frozen=True)
class Evaluation:
    """How a model did on labelled images: accuracy, each class's recall and precision, the confusion matrix."""

    count: int
    classes: list[DefectClass]
    accuracy: float
    recall: dict[DefectClass, float]
    precision: dict[DefectClass, float]
    confusion: list[list[int]]  # rows: true class, columns: predicted, in the order of ``classes``
    images_per_s: float


def evaluate(classifier: DefectClassifier, images: list[np.ndarray], labels: list[DefectClass]) -> Evaluation:
    """Classify each image alone (as the inspector does) and compare with the truth."""
    classes = classifier.classes
    start = time.perf_counter()
    found = [classifier.classify(image).defect for image in images]
    elapsed = time.perf_counter() - start
    confusion = np.zeros((len(classes), len(classes)), dtype=int)
    for truth, guess in zip(labels, found, strict=True):
        confusion[classes.index(truth), classes.index(guess)] += 1
    diagonal = np.diag(confusion)
    recall = {c: float(diagonal[i] / max(1, confusion[i].sum())) for i, c in enumerate(classes)}
    precision = {c: float(diagonal[i] / max(1, confusion[:, i].sum())) for i, c in enumerate(classes)}
    return Evaluation(len(images), classes, float(diagonal.sum() / max(1, len(images))), recall, precision,
                      confusion.tolist(), len(images) / elapsed if elapsed > 0 else float("inf"))


def report(subject: Subject, result: Evaluation, command: str, seed: int, trained_on: int, path: Path) -> str:
    """The evaluation as Markdown: figures, per-class table, confusion matrix and how to reproduce it."""
    classes = result.classes
    rows = [f"| {c} | {result.recall[c]:.1%} | {result.precision[c]:.1%} |" for c in classes]
    header = "| true \\ predicted | " + " | ".join(classes) + " |"
    matrix = [f"| {c} | " + " | ".join(str(n) for n in row) + " |" for c, row in zip(classes, result.confusion,
                                                                                        strict=True)]
    return "\n".join([
        f"# Defect model of {subject.value}: evaluation on held-out images", "",
        f"Model: `{path.name}` ({path.stat().st_size / 1024:.0f} KiB), a scikit-learn MLP over the "
        f"{subject.value}'s view (`vision/features.py`), run by ONNX Runtime on one thread.",
        f"Trained on {trained_on} rendered images (seed {seed}); evaluated on {result.count} others "
        f"(seed {seed + 1}), the {len(classes)} classes in equal shares.", "",
        f"Produced by: `{command}`", "",
        f"- accuracy: **{result.accuracy:.2%}**",
        f"- speed while evaluating: {result.images_per_s:.0f} images/s, one image per call, one core "
        "(`bench/bench_vision.py` measures it on its own)", "",
        "| class | recall | precision |", "| --- | --- | --- |", *rows, "",
        "Confusion matrix (rows: true class, columns: what the model said):", "",
        header, "| --- |" + " --- |" * len(classes), *matrix, "",
    ])


def _train(subject: Subject, args: argparse.Namespace, command: str) -> None:
    """Train, export, evaluate on held-out images, and write one subject's model and report."""
    path = args.out / f"{subject.value}.onnx" if args.out else model_path(subject)
    _export(subject, _fit(subject, *labelled_images(args.train, args.seed, subject), args.seed, args.hidden), path)
    result = evaluate(DefectClassifier(path), *labelled_images(args.test, args.seed + 1, subject))
    text = report(subject, result, command, args.seed, args.train, path)
    path.with_name(f"REPORT-{subject.value}.md").write_text(text, encoding="utf-8")
    print(text)


def main(argv: list[str] | None = None) -> int:
    """Train each subject's model (or the one asked for) and write it with its report."""
    parser = argparse.ArgumentParser(prog="python -m vision.train", description=__doc__.splitlines()[0])
    parser.add_argument("--subject", type=Subject, choices=list(Subject), help="one subject only (default: all)")
    parser.add_argument("--seed", type=int, default=29, help="seed of the training images (held-out: seed + 1)")
    parser.add_argument("--train", type=int, default=12000, help="training images")
    parser.add_argument("--test", type=int, default=4000, help="held-out images")
    parser.add_argument("--hidden", type=int, default=64, help="units of the hidden layer")
    parser.add_argument("--out", type=Path, default=None, help="folder for the models (default: vision/model)")
    args = parser.parse_args(argv)
    command = ("python -m vision.train " + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    try:
        for subject in [args.subject] if args.subject else list(Subject):
            _train(subject, args, command)
    except ImportError as exc:
        print(f"training needs the [train] extra (pip install -e '.[train]'): {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
