"""Constrained tool calling without a model: the schema, the narrowing, the prompt and the output conversion."""

from __future__ import annotations

import json
import re
from typing import Literal

import pytest
from jsonschema import Draft202012Validator
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage
from llama_cpp.llama_grammar import json_schema_to_gbnf
from pydantic import BaseModel, Field

from copilot.llm.answer_stream import AnswerStream
from copilot.llm.choice import ToolChoiceError, choices, openai_tools
from copilot.llm.constrained import (
    AnswerReply,
    ConstrainedOutputError,
    ToolCallReply,
    chat_messages,
    final_chunk,
    inline_refs,
    instructions,
    parse_reply,
    reply_schema,
    to_message,
)


class machine_status(BaseModel):
    """Read one machine's live status."""

    machine_id: str = Field(description="machine id, e.g. P-101")


class PartNeed(BaseModel):
    part: str
    qty: int = Field(gt=0)


class create_work_order(BaseModel):
    """Open a maintenance work order."""

    machine_id: str
    title: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=2000)
    priority: Literal["low", "medium", "high", "urgent"] = "medium"
    parts: list[PartNeed] = []


class inventory(BaseModel):
    """Stock of a spare part."""

    part_id: str


TOOLS = openai_tools([machine_status, create_work_order, inventory])
ALL = choices(TOOLS)


def accepts(schema: dict, value: object) -> bool:
    return Draft202012Validator(schema).is_valid(value)


# -- what may be chosen --------------------------------------------------------------------------------


def test_the_schema_allows_exactly_the_bound_tools_and_the_answer() -> None:
    schema = reply_schema(ALL)
    assert accepts(schema, {"name": "machine_status", "arguments": {"machine_id": "P-101"}})
    assert accepts(schema, {"name": "answer", "arguments": {"text": "All good."}})
    assert not accepts(schema, {"name": "write_setpoint", "arguments": {"machine_id": "P-101"}})
    assert not accepts(schema, {"name": "machine_status", "arguments": {}})  # required argument missing
    assert not accepts(schema, {"name": "machine_status", "arguments": {"machine_id": "P-101"}, "also": 1})
    assert not accepts(schema, {"name": "create_work_order", "arguments": {"machine_id": "P-101", "title": "x",
                                                                           "priority": "critical"}})


def test_nested_models_are_inlined_so_the_schema_stands_alone() -> None:
    schema = reply_schema(ALL)
    assert "$ref" not in json.dumps(schema) and "$defs" not in json.dumps(schema)
    good = {"name": "create_work_order", "arguments": {"machine_id": "P-101", "title": "Bearing",
                                                       "parts": [{"part": "BRG-6205", "qty": 2}]}}
    assert accepts(schema, good)
    good["arguments"]["parts"][0]["qty"] = "two"
    assert not accepts(schema, good)


def test_recursive_argument_models_are_refused() -> None:
    with pytest.raises(ValueError, match="recursive"):
        inline_refs({"$defs": {"Node": {"properties": {"next": {"$ref": "#/$defs/Node"}}}},
                     "properties": {"root": {"$ref": "#/$defs/Node"}}})


def test_the_grammar_offers_only_the_allowed_names() -> None:
    narrowed = choices(TOOLS, allowed_tools=["inventory", "create_work_order"])
    grammar = json_schema_to_gbnf(json.dumps(reply_schema(narrowed)))
    names = {n for n in ("machine_status", "create_work_order", "inventory", "answer") if f'\\"{n}\\"' in grammar}
    assert names == {"create_work_order", "inventory", "answer"}


def test_tool_choice_narrows_what_the_model_may_reply() -> None:
    assert choices(TOOLS, "none").names == [] and choices(TOOLS, "none").answer
    assert choices(TOOLS, "required").names == ["machine_status", "create_work_order", "inventory"]
    assert not choices(TOOLS, "any").answer
    forced = choices(TOOLS, {"type": "function", "function": {"name": "inventory"}})
    assert forced.names == ["inventory"] and not forced.answer
    assert choices(TOOLS, allowed_tools=[]).names == [] and choices(TOOLS, allowed_tools=[]).answer
    only = reply_schema(choices(TOOLS, "inventory"))
    assert accepts(only, {"name": "inventory", "arguments": {"part_id": "BRG-6205"}})
    assert not accepts(only, {"name": "answer", "arguments": {"text": "no"}})


@pytest.mark.parametrize(
    ("tool_choice", "allowed", "message"),
    [
        ("write_setpoint", None, "not bound"),
        ("machine_status", ["inventory"], "not allowed on this call"),
        (None, ["inventory", "stop_machine"], "not bound: stop_machine"),
        ("required", [], "no tool is allowed"),
        (None, "inventory", "a list of tool names"),
    ],
)
def test_a_choice_that_names_no_bound_tool_is_a_clear_error(tool_choice, allowed, message) -> None:
    with pytest.raises(ToolChoiceError, match=message):
        choices(TOOLS, tool_choice, allowed)


def test_a_tool_may_not_take_the_answer_name_nor_be_bound_twice() -> None:
    class answer(BaseModel):
        """Clashes with the pseudo-tool."""

    with pytest.raises(ToolChoiceError, match="'answer'"):
        openai_tools([answer])
    with pytest.raises(ToolChoiceError, match="bound twice: inventory"):
        openai_tools([inventory, inventory])


# -- the prompt ----------------------------------------------------------------------------------------


def test_the_instructions_list_every_bound_tool_with_its_arguments() -> None:
    text = instructions(TOOLS)
    assert '{"name": "answer", "arguments": {"text": "<your reply>"}}' in text
    assert ("- machine_status: Read one machine's live status.\n"
            "  arguments: {machine_id: string (machine id, e.g. P-101)}") in text
    assert 'priority?: "low"|"medium"|"high"|"urgent" = "medium"' in text
    assert "parts?: {part: string; qty: integer >0}[]" in text


def test_the_conversation_is_rendered_with_a_stable_prefix_and_calls_as_the_model_writes_them() -> None:
    history = [
        SystemMessage("You are Plant Copilot."),
        HumanMessage("P-101 vibrates"),
        AIMessage(content="", tool_calls=[{"name": "machine_status", "args": {"machine_id": "P-101"}, "id": "c1"}]),
        ToolMessage(content='{"vibration": 7.9}', tool_call_id="c1"),
        AIMessage(content="Vibration is 7.9 mm/s."),
    ]
    rendered = chat_messages(history, TOOLS)
    assert rendered[0] == {"role": "system", "content": "You are Plant Copilot.\n\n" + instructions(TOOLS)}
    assert rendered[2] == {"role": "assistant",
                           "content": '{"name": "machine_status", "arguments": {"machine_id": "P-101"}}'}
    assert rendered[3] == {"role": "user", "content": '<tool_response>\n{"vibration": 7.9}\n</tool_response>'}
    assert json.loads(rendered[4]["content"]) == {"name": "answer", "arguments": {"text": "Vibration is 7.9 mm/s."}}
    assert chat_messages(history[:2], TOOLS) == rendered[:2]  # a later call starts with the same turns


# -- the output ----------------------------------------------------------------------------------------


def test_a_tool_reply_becomes_an_ordinary_tool_call() -> None:
    message = to_message('{"name": "machine_status", "arguments": {"machine_id": "P-101"}}', ALL)
    assert message.content == "" and not message.invalid_tool_calls
    [call] = message.tool_calls
    assert (call["name"], call["args"], call["type"]) == ("machine_status", {"machine_id": "P-101"}, "tool_call")
    assert call["id"].startswith("call_")


def test_an_answer_becomes_plain_content() -> None:
    message = to_message('{ "name": "answer", "arguments": { "text": "Line 1\nruns." } }', ALL)
    assert message.content == "Line 1\nruns." and message.tool_calls == []


@pytest.mark.parametrize(
    ("output", "choice", "problem"),
    [
        ('{"name": "machine_status", "arguments": {"machine_id": "P-1', ALL, "not valid JSON"),
        ('{"name": "write_setpoint", "arguments": {}}', ALL, "'write_setpoint' is not available now; choose one of: "
                                                            "machine_status, create_work_order, inventory, answer"),
        ('{"name": "create_work_order", "arguments": {"machine_id": "P-101", "title": "ok", "priority": "asap"}}', ALL,
         "invalid arguments for create_work_order: priority: 'asap' is not one of"),
        ('{"name": "create_work_order", "arguments": {"machine_id": "P-101"}}', ALL, "'title' is a required property"),
        ('{"name": "create_work_order", "arguments": {"machine_id": "P-101", "title": "ok", "description": "'
         + "x" * 2001 + '"}}', ALL, "description: .* is too long"),
        ('{"name": "answer", "arguments": {"text": "done"}}', choices(TOOLS, "required"), "a tool call is required"),
        ('{"name": "inventory", "arguments": "BRG-6205"}', ALL, '"arguments" of inventory must be a JSON object'),
        ("[1, 2]", ALL, "must be a JSON object"),
    ],
)
def test_malformed_output_becomes_an_invalid_call_whose_error_tells_the_model_what_to_fix(
    output, choice, problem,
) -> None:
    with pytest.raises(ConstrainedOutputError, match=problem):
        parse_reply(output, choice)
    message = to_message(output, choice)
    assert message.tool_calls == []
    [bad] = message.invalid_tool_calls
    assert bad["args"] == output
    assert bad["error"] and re.search(problem, bad["error"])


def test_an_answer_cut_off_by_the_token_limit_keeps_its_words() -> None:
    message = to_message('{"name": "answer", "arguments": {"text": "P-101 bearing is worn, rep', ALL)
    assert message.content == "P-101 bearing is worn, rep"
    assert message.response_metadata == {"truncated": True}


def test_free_output_is_read_leniently_when_unconstrained() -> None:
    fenced = 'Sure!\n<tool_call>\n{"name": "inventory", "arguments": {"part_id": "BRG-6205"}}\n</tool_call>'
    assert parse_reply(fenced, ALL, strict=False) == ToolCallReply("inventory", {"part_id": "BRG-6205"})
    assert parse_reply("```json\n{\"name\": \"answer\", \"arguments\": {\"text\": \"hi\"}}\n```", ALL,
                       strict=False) == AnswerReply("hi")
    assert parse_reply("All machines run.", ALL, strict=False) == AnswerReply("All machines run.")
    with pytest.raises(ConstrainedOutputError, match="not valid JSON"):
        parse_reply(fenced, ALL)  # strict output must be the JSON object alone
    with pytest.raises(ConstrainedOutputError, match="a tool call is required now, not words"):
        parse_reply("All machines run.", choices(TOOLS, "required"), strict=False)


def test_a_joined_stream_carries_the_same_calls_and_errors_as_the_message() -> None:
    """LangChain rebuilds tool calls from chunks; a half-written call must still arrive as invalid."""
    good = to_message('{"name": "inventory", "arguments": {"part_id": "BRG-6205"}}', ALL)
    joined = AIMessageChunk(content="") + final_chunk(good)
    assert [(c["name"], c["args"], c["id"]) for c in joined.tool_calls] == [
        (c["name"], c["args"], c["id"]) for c in good.tool_calls]

    bad = to_message('{"name": "machine_status", "arguments": {"machine_id": "P-1', ALL)
    joined = AIMessageChunk(content="") + final_chunk(bad)
    assert joined.tool_calls == []
    [invalid] = joined.invalid_tool_calls
    assert invalid["name"] is None and "not valid JSON" in invalid["args"]

    answer = to_message('{"name": "answer", "arguments": {"text": "Stock is 4."}}', ALL)
    joined = AIMessageChunk(content="Stock") + final_chunk(answer, streamed="Stock")
    assert joined.content == "Stock is 4." and joined.tool_calls == []


# -- streaming answers ---------------------------------------------------------------------------------


def test_answer_text_streams_character_by_character_with_escapes_decoded() -> None:
    text = "Temp 82 °C \"high\"\n→ check 🙂 now"
    output = json.dumps({"name": "answer", "arguments": {"text": text}})  # ensure_ascii: \u escapes, a surrogate pair
    stream = AnswerStream()
    pieces = [stream.feed(ch) for ch in output]
    assert "".join(pieces) == text and stream.state == "closed"
    assert sum(1 for p in pieces if p) > 10  # it really streamed


def test_only_answers_stream() -> None:
    stream = AnswerStream()
    assert stream.feed('{"name": "inventory", "arguments": {"part_id": "x"}}') == ""
    assert stream.state == "other"
