"""How ``plant-copilot ask`` prints a turn's steps (ui/commands/chat.py), from hand-made steps."""

from __future__ import annotations

from collections.abc import AsyncIterator

from copilot import Answer, Calling, Choice, Restating, Step, Token
from ui.commands.chat import print_steps


async def _each(*steps: Step) -> AsyncIterator[Step]:
    for step in steps:
        yield step


async def test_the_request_understood_prints_on_its_own_line_and_a_streamed_answer_once(capsys) -> None:
    await print_steps(_each(
        Restating(text="How many "), Restating(text="bearings?"),
        Calling(tool="inventory_check"),
        Choice(tool="inventory_check", arguments={"part": "BRG-6205"}, action_id="c1"),
        Token(text="6 Stück "), Token(text="auf Lager."),
        Answer(text="6 Stück auf Lager."),
    ))
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "understood as: How many bearings?"
    assert lines[2] == "· inventory_check {\"part\": \"BRG-6205\"}"
    assert lines.count("6 Stück auf Lager.") == 1 and lines[-1] == "6 Stück auf Lager."
