"""How fast and how right the cameras' defect models are on one core.

    python bench/bench_vision.py [--images 2000] [--seed 4242] [--subject housing|fabric]

For each model (housings, fabric), renders fresh labelled images with the simulator's renderer (the classes in
equal shares, from a seed the model was neither trained nor evaluated on), then classifies them one image per
call, as the inspector does, with ONNX Runtime on one thread (the process is pinned to one core where the OS
allows). Printed: images/s for the whole classification (decode of the PNG the camera sends, the view, the
model) and for the view and model alone, the accuracy and each class's recall against the renderer's truth.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.shots import Subject  # noqa: E402
from simulator.camera import png  # noqa: E402
from vision import DefectClassifier, model_path  # noqa: E402
from vision.train import evaluate, labelled_images  # noqa: E402


def measure(subject: Subject, count: int, seed: int) -> None:
    """Render, classify one at a time, and print the figures of one subject's model."""
    path = model_path(subject)
    classifier = DefectClassifier(path)
    images, labels = labelled_images(count, seed, subject)
    encoded = [png(image) for image in images]
    classifier.classify(images[0])  # the session's first run allocates its buffers
    start = time.perf_counter()
    for data in encoded:
        classifier.classify_png(data)
    from_png = len(encoded) / (time.perf_counter() - start)
    result = evaluate(classifier, images, labels)
    print(f"defect model {path.name}: {count} fresh images (seed {seed}), one image per call, one core")
    print(f"  speed:    {from_png:,.0f} images/s from PNG bytes; {result.images_per_s:,.0f} images/s from pixels")
    print(f"  accuracy: {result.accuracy:.2%}")
    for label in result.classes:
        print(f"  {label:<11} recall {result.recall[label]:.1%}  precision {result.precision[label]:.1%}")


def main() -> None:
    """Each subject's model (or the one asked for), measured in turn."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--subject", type=Subject, choices=list(Subject), default=None)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    for subject in [args.subject] if args.subject else list(Subject):
        measure(subject, args.images, args.seed)


if __name__ == "__main__":
    main()
