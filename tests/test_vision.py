"""The camera's images and the project's own defect model (issue #29): the renderer's classes follow the
process, the committed ONNX model tells them apart on fresh images, and bad input gets one clear error."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from connectors.shots import DefectClass, Subject
from simulator.fabric_images import DyeingState, shade_odds
from simulator.part_images import SIZE, MouldingState, defect_odds, draw_class, render_part
from vision import BadImage, BadModel, DefectClassifier, model_path
from vision.train import evaluate, labelled_images


@pytest.fixture(scope="module")
def classifier() -> DefectClassifier:
    return DefectClassifier()


def _drawn(state: MouldingState, n: int = 600, seed: int = 7) -> Counter[DefectClass]:
    rng = np.random.default_rng(seed)
    return Counter(draw_class(defect_odds(state), rng) for _ in range(n))


def test_in_the_process_window_nearly_every_part_is_good() -> None:
    drawn = _drawn(MouldingState(barrel_temp_c=231.0))
    assert drawn[DefectClass.ok] >= 0.95 * 600
    assert abs(sum(defect_odds(MouldingState(231.0)).values()) - 1.0) < 1e-9


def test_a_hot_barrel_makes_flash_and_a_cold_one_short_shots() -> None:
    hot, cold = _drawn(MouldingState(barrel_temp_c=252.0)), _drawn(MouldingState(barrel_temp_c=208.0))
    assert hot[DefectClass.flash] > 5 * max(1, hot[DefectClass.short_shot])
    assert hot[DefectClass.flash] > _drawn(MouldingState(231.0))[DefectClass.flash] + 100
    assert cold[DefectClass.short_shot] > 5 * max(1, cold[DefectClass.flash])
    assert cold[DefectClass.short_shot] > 100


def test_much_too_hot_or_a_bad_lot_burns_the_parts() -> None:
    normal = _drawn(MouldingState(barrel_temp_c=230.0))[DefectClass.burn_mark]
    assert _drawn(MouldingState(barrel_temp_c=265.0))[DefectClass.burn_mark] > normal + 60
    assert _drawn(MouldingState(barrel_temp_c=230.0, bad_lot=True))[DefectClass.burn_mark] > normal + 60


def test_pressure_moves_the_odds_as_temperature_does() -> None:
    packed = defect_odds(MouldingState(230.0, hold_pressure_bar=850.0))
    starved = defect_odds(MouldingState(230.0, hold_pressure_bar=450.0))
    assert packed[DefectClass.flash] > 0.1 > packed[DefectClass.short_shot]
    assert starved[DefectClass.short_shot] > 0.1 > starved[DefectClass.flash]


def test_the_same_class_is_drawn_differently_each_time() -> None:
    rng = np.random.default_rng(3)
    a, b = render_part(DefectClass.ok, rng), render_part(DefectClass.ok, rng)
    assert a.shape == b.shape == (SIZE, SIZE) and a.dtype == np.uint8
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 5


def test_fabric_goes_off_shade_with_its_delta_e_and_uneven_when_heated_too_fast() -> None:
    on_recipe = shade_odds(DyeingState(shade_deviation=0.3))
    off = shade_odds(DyeingState(shade_deviation=2.5))
    fast = shade_odds(DyeingState(shade_deviation=0.3, heating_rate_c_per_min=3.5))
    assert on_recipe[DefectClass.ok] >= 0.98
    assert off[DefectClass.off_shade] > 0.5 > off[DefectClass.uneven]
    assert fast[DefectClass.uneven] > 0.5 > fast[DefectClass.off_shade]


@pytest.mark.parametrize("subject", list(Subject))
def test_each_committed_model_tells_its_classes_apart_on_fresh_images(subject: Subject) -> None:
    classifier = DefectClassifier(model_path(subject))
    assert (classifier.subject, classifier.classes) == (subject, subject.classes)
    images, labels = labelled_images(200, 2029, subject)  # a seed the model was neither trained nor evaluated on
    result = evaluate(classifier, images, labels)
    assert result.accuracy >= 0.90, result
    assert min(result.recall.values()) >= 0.80, result.recall


def test_a_classification_is_a_class_with_its_confidence(classifier: DefectClassifier) -> None:
    found = classifier.classify(render_part(DefectClass.short_shot, np.random.default_rng(11)))
    assert isinstance(found.defect, DefectClass)
    assert 0.25 <= found.confidence <= 1.0


@pytest.mark.parametrize("data", [b"", b"not a picture", b"\x89PNG\r\n\x1a\n broken"])
def test_bad_image_bytes_give_one_clear_error(classifier: DefectClassifier, data: bytes) -> None:
    with pytest.raises(BadImage) as caught:
        classifier.classify_png(data)
    assert "not an image the camera sends" in str(caught.value) and "\n" not in str(caught.value)


def test_an_image_of_the_wrong_size_is_refused_saying_what_the_model_reads(classifier: DefectClassifier) -> None:
    with pytest.raises(BadImage, match=f"{SIZE} x {SIZE} greyscale"):
        classifier.classify(np.zeros((32, 48), dtype=np.uint8))


def test_a_missing_model_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(BadModel, match="nowhere.onnx"):
        DefectClassifier(tmp_path / "nowhere.onnx")


@pytest.mark.parametrize("subject", list(Subject))
def test_the_model_files_are_small(subject: Subject) -> None:
    assert model_path(subject).stat().st_size < 5 * 1024 * 1024
