"""How ``plant-copilot ask`` prints a turn's steps (copilot/cli.py), from hand-made steps."""

from __future__ import annotations

from collections.abc import AsyncIterator

from copilot.cli import print_steps
from copilot.service import Step


async def _each(*steps: Step) -> AsyncIterator[Step]:
    for step in steps:
        yield step


async def test_the_request_understood_prints_on_its_own_line_and_a_streamed_answer_once(capsys) -> None:
    await print_steps(_each(
        Step(kind="restating", text="How many "), Step(kind="restating", text="bearings?"),
        Step(kind="calling", tool="inventory_check"),
        Step(kind="choice", tool="inventory_check", arguments={"part": "BRG-6205"}),
        Step(kind="token", text="6 Stück "), Step(kind="token", text="auf Lager."),
        Step(kind="answer", text="6 Stück auf Lager."),
    ))
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "understood as: How many bearings?"
    assert lines[2] == "· inventory_check {\"part\": \"BRG-6205\"}"
    assert lines.count("6 Stück auf Lager.") == 1 and lines[-1] == "6 Stück auf Lager."
