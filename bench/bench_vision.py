"""How fast and how right the camera's defect model is on one core.

    python bench/bench_vision.py [--images 2000] [--seed 4242] [--model vision/model/defects.onnx]

Renders fresh labelled images with the simulator's renderer (the classes in equal shares, from a seed the model
was neither trained nor evaluated on), then classifies them one image per call, as the inspector does, with
ONNX Runtime on one thread (the process is pinned to one core where the OS allows). Printed: images/s for the
whole classification (decode of the PNG the camera sends, the part's standard view, the model) and for the
view and model alone, the accuracy and each class's recall against the renderer's truth.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.camera import png  # noqa: E402
from vision import MODEL_PATH, DefectClassifier  # noqa: E402
from vision.train import CLASSES, evaluate, labelled_images  # noqa: E402


def main() -> None:
    """Render, classify one at a time, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    classifier = DefectClassifier(args.model)
    images, labels = labelled_images(args.images, args.seed)
    encoded = [png(image) for image in images]
    classifier.classify(images[0])  # the session's first run allocates its buffers
    start = time.perf_counter()
    for data in encoded:
        classifier.classify_png(data)
    from_png = len(encoded) / (time.perf_counter() - start)
    result = evaluate(classifier, images, labels)
    print(f"defect model {args.model.name}: {args.images} fresh images (seed {args.seed}), one image per call, "
          "one core")
    print(f"  speed:    {from_png:,.0f} images/s from PNG bytes; {result.images_per_s:,.0f} images/s from pixels")
    print(f"  accuracy: {result.accuracy:.2%}")
    for label in CLASSES:
        print(f"  {label:<11} recall {result.recall[label]:.1%}  precision {result.precision[label]:.1%}")


if __name__ == "__main__":
    main()
