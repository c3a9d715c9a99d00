"""Constrained tool calling: the model replies with one JSON object that names one allowed tool.

A small model that emits no native tool calls still makes reliable ones when
its output is constrained to a JSON schema that allows exactly one of the tools
as ``{"name": <tool>, "arguments": <that tool's parameters>}``, plus the
pseudo-tool ``answer`` (``{"text": ...}``) for replying in words. This module
is the whole protocol, shared by the local model (llama.cpp grammar) and by
servers that accept a JSON schema for the response (vLLM, llama.cpp server):
the schema, the instructions in the system prompt, the conversation rendered
for it, and the conversion of the output into ordinary LangChain tool calls.
It does no I/O.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk

from copilot.llm.answer_stream import AnswerStream, Phase
from copilot.llm.choice import ANSWER, Choices

_ANSWER_ARGUMENTS = {
    "type": "object",
    "properties": {"text": {"type": "string"}},
    "required": ["text"],
    "additionalProperties": False,
}


class ConstrainedOutputError(ValueError):
    """The model's reply is not one allowed call with valid arguments; the message is written for the model."""

    def __init__(self, message: str, *, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class ToolCallReply:
    """A constrained reply that calls a tool: its name and its schema-checked arguments."""

    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class AnswerReply:
    """A constrained reply in words; ``truncated`` when the reply stopped before its text was closed."""

    text: str
    truncated: bool = False


# -- the schema ----------------------------------------------------------------------------------------


def reply_schema(choices: Choices) -> dict[str, Any]:
    """A JSON schema that accepts exactly one allowed reply; ``name`` comes first so answers can stream."""
    options = [_option(t["function"]["name"], _without_long_limits(parameters(t))) for t in choices.tools]
    if choices.answer:
        options.append(_option(ANSWER, _ANSWER_ARGUMENTS))
    if not options:
        raise ValueError("no reply is allowed: no tools and no answer")
    return options[0] if len(options) == 1 else {"anyOf": options}


def _option(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"name": {"const": name}, "arguments": arguments},
        "required": ["name", "arguments"],
        "additionalProperties": False,
    }


_LONGEST_LIMIT = 200


def _without_long_limits(node: Any) -> Any:
    """Drop large ``maxLength`` limits: llama.cpp spells them as one nested rule per character, which makes
    huge grammars; the arguments are still validated against the full schema after generation."""
    if isinstance(node, list):
        return [_without_long_limits(n) for n in node]
    if not isinstance(node, dict):
        return node
    return {
        k: _without_long_limits(v)
        for k, v in node.items()
        if not (k == "maxLength" and isinstance(v, int) and v > _LONGEST_LIMIT)
    }


def parameters(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool's parameters schema, self-contained (its ``$defs`` inlined) so it can sit inside another schema."""
    schema = tool["function"].get("parameters") or {"type": "object", "properties": {}}
    return inline_refs(schema)


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace local ``#/$defs/...`` references by what they point to; recursive models are refused."""
    defs = schema.get("$defs", {})

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [resolve(n, seen) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            name = ref.removeprefix("#/$defs/")
            if name == ref or name not in defs:
                raise ValueError(f"cannot resolve {ref!r}: only local #/$defs references are supported")
            if name in seen:
                raise ValueError(f"{name!r} refers to itself; recursive argument models cannot be constrained")
            target = resolve(defs[name], (*seen, name))
            rest = {k: resolve(v, seen) for k, v in node.items() if k != "$ref"}
            return {**target, **rest}
        return {k: resolve(v, seen) for k, v in node.items() if k != "$defs"}

    return resolve(copy.deepcopy(schema), ())


# -- the prompt ----------------------------------------------------------------------------------------

_FORMAT = """\
# Tools

Reply with exactly one JSON object and nothing else. To use a tool:
{"name": "<tool name>", "arguments": {<the tool's arguments>}}
To reply to the operator in words (when you have the facts, or to ask them something):
{"name": "answer", "arguments": {"text": "<your reply>"}}
Tool results come back inside <tool_response></tool_response>.

Tools (name?: optional argument, = default):"""


def instructions(tools: Sequence[dict[str, Any]]) -> str:
    """The reply format and every bound tool, compactly; appended to the system prompt, stable across calls."""
    lines = [_FORMAT]
    for tool in tools:
        function = tool["function"]
        lines.append(f"- {function['name']}: {_one_line(function.get('description', ''))}")
        args = _fields(parameters(tool))
        lines.append(f"  arguments: {{{args}}}" if args else "  arguments: {}")
    return "\n".join(lines)


def _fields(schema: dict[str, Any]) -> str:
    required = set(schema.get("required", []))
    parts = []
    for name, prop in schema.get("properties", {}).items():
        text = f"{name}{'' if name in required else '?'}: {_type(prop)}{_bounds(prop)}"
        if "default" in prop and prop["default"] not in ("", [], None):
            text += f" = {json.dumps(prop['default'])}"
        if prop.get("description"):
            text += f" ({_one_line(prop['description'])})"
        parts.append(text)
    return "; ".join(parts)


LABEL = "x-label"
"""A schema annotation: the prompt names the values (e.g. "machine id") instead of listing a long enum that
the prompt gives elsewhere; the grammar and the validation still hold the output to the enum."""


def _type(schema: dict[str, Any]) -> str:
    if LABEL in schema:
        return f"<{schema[LABEL]}>"
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return "|".join(json.dumps(v) for v in schema["enum"])
    if "anyOf" in schema or "oneOf" in schema:
        return "|".join(_type(s) for s in schema.get("anyOf") or schema["oneOf"])
    json_type = schema.get("type")  # JSON Schema's own type names
    if json_type == "array":
        return f"{_type(schema.get('items', {}))}[]"
    if json_type == "object" and "properties" in schema:
        return f"{{{_fields(schema)}}}"
    if isinstance(json_type, list):
        return "|".join(json_type)
    return json_type or "any"


def _bounds(schema: dict[str, Any]) -> str:
    marks = {"exclusiveMinimum": ">", "minimum": ">=", "exclusiveMaximum": "<", "maximum": "<="}
    found = [f"{op}{schema[k]:g}" for k, op in marks.items() if k in schema]
    if "minLength" in schema or "maxLength" in schema:
        found.append(f"{schema.get('minLength', 0)}..{schema.get('maxLength', '')} chars")
    return f" {' '.join(found)}" if found else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def chat_messages(messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The conversation as plain chat turns for a model that calls tools by writing JSON.

    The instructions go at the end of the first system message (a stable prefix);
    earlier tool calls and answers are shown in the JSON the model writes, and tool
    results as ``<tool_response>`` user turns (as the Qwen2.5 chat template does).
    With no tools there is no protocol: the turns are plain text.
    """
    out: list[dict[str, str]] = []
    guide = instructions(tools) if tools else ""
    for message in messages:
        if isinstance(message, SystemMessage) and guide:
            out.append({"role": "system", "content": f"{message.text}\n\n{guide}"})
            guide = ""
        elif isinstance(message, SystemMessage):
            out.append({"role": "system", "content": message.text})
        elif isinstance(message, HumanMessage):
            out.append({"role": "user", "content": message.text})
        elif isinstance(message, AIMessage):
            out.append({"role": "assistant", "content": _as_written(message) if tools else message.text})
        elif isinstance(message, ToolMessage):
            response = f"<tool_response>\n{message.text}\n</tool_response>"
            if out and out[-1]["role"] == "user" and out[-1]["content"].startswith("<tool_response>"):
                out[-1]["content"] += "\n" + response
            else:
                out.append({"role": "user", "content": response})
        else:
            raise TypeError(f"cannot render a {type(message).__name__} for a constrained model")
    if guide:
        out.insert(0, {"role": "system", "content": guide})
    return out


def _as_written(message: AIMessage) -> str:
    """An assistant turn the way a constrained model writes it."""
    calls = [_compact({"name": c["name"], "arguments": c["args"]}) for c in message.tool_calls]
    calls += [c.get("args") or "" for c in message.invalid_tool_calls]
    if calls:
        return "\n".join([message.text, *calls] if message.text else calls)
    return _compact({"name": ANSWER, "arguments": {"text": message.text}})


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# -- the output ----------------------------------------------------------------------------------------


def parse_reply(text: str, choices: Choices, *, strict: bool = True) -> ToolCallReply | AnswerReply:
    """Read one reply and check it against the allowed choices and the tool's parameters schema.

    ``strict`` output must be exactly one JSON object (what a grammar guarantees); otherwise the
    first JSON object in the text is read, and text with none is an answer in words.
    """
    if strict:
        value = _json(text.strip())
    else:
        bare = _strip_wrappers(text)
        start = bare.find("{")
        if start < 0:
            return _answer_in_words(text, choices)
        value = _json(bare[start:], prefix_only=True)
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise ConstrainedOutputError('the reply must be a JSON object {"name": ..., "arguments": {...}}')
    name = value["name"]
    arguments = value.get("arguments", None if strict else {})
    if not isinstance(arguments, dict):
        raise ConstrainedOutputError(f'"arguments" of {name} must be a JSON object', name=name)
    if name == ANSWER:
        return _answer(arguments, choices)
    tool = next((t for t in choices.tools if t["function"]["name"] == name), None)
    if tool is None:
        raise ConstrainedOutputError(f"{name!r} is not available now; {_options(choices)}", name=name)
    problems = [
        f"{'.'.join(str(p) for p in e.absolute_path) or 'arguments'}: {e.message}"
        for e in sorted(Draft202012Validator(parameters(tool)).iter_errors(arguments), key=lambda e: list(e.path))
    ]
    if problems:
        raise ConstrainedOutputError(f"invalid arguments for {name}: {'; '.join(problems)}", name=name)
    return ToolCallReply(name=name, arguments=arguments)


def to_message(text: str, choices: Choices, *, strict: bool = True) -> AIMessage:
    """The reply as the graph expects it: tool calls, an answer in ``content``, or an invalid tool call
    whose ``error`` says what was wrong (the graph sends that back to the model)."""
    try:
        reply = parse_reply(text, choices, strict=strict)
    except ConstrainedOutputError as exc:
        truncated = _truncated_answer(text) if choices.answer else None
        if truncated is not None:
            reply = truncated
        else:
            bad = invalid_tool_call(name=exc.name, args=text, id=_call_id(), error=str(exc))
            return AIMessage(content="", invalid_tool_calls=[bad])
    if isinstance(reply, AnswerReply):
        return AIMessage(content=reply.text, response_metadata={"truncated": True} if reply.truncated else {})
    return AIMessage(content="", tool_calls=[tool_call(name=reply.name, args=reply.arguments, id=_call_id())])


CALLING = "calling"
"""The key, in a chunk's response metadata, of the tool a reply calls: sent as soon as its name is written."""


def calling_chunk(name: str) -> ChatGenerationChunk:
    """The chunk a stream sends as soon as a reply's tool name is written, before its arguments, so listeners
    can show what the model is doing. It carries no call (the call comes once, whole, in the last chunk)."""
    return ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata={CALLING: name}))


def final_chunk(message: AIMessage, streamed: str = "") -> AIMessageChunk:
    """The last stream chunk for a reply of which ``streamed`` answer text was already sent.

    LangChain rebuilds tool calls from chunks when it joins a stream, and would read a
    half-written JSON call as a valid one; so a bad call travels as a chunk whose args are
    the error text, which never parses, and arrives as an invalid tool call.
    """
    content = message.text[len(streamed) :] if message.text.startswith(streamed) else message.text
    chunks = [
        tool_call_chunk(name=c["name"], args=json.dumps(c["args"], ensure_ascii=False), id=c["id"], index=i)
        for i, c in enumerate(message.tool_calls)
    ]
    chunks += [
        tool_call_chunk(name=c["name"], args=f"invalid reply: {c['error']}", id=c["id"], index=len(chunks) + i)
        for i, c in enumerate(message.invalid_tool_calls)
    ]
    return AIMessageChunk(content=content, tool_call_chunks=chunks, response_metadata=message.response_metadata)


_LENIENT = json.JSONDecoder(strict=False)  # raw newlines inside strings: llama.cpp's grammar lets them through


def _json(text: str, *, prefix_only: bool = False) -> Any:
    try:
        if prefix_only:
            return _LENIENT.raw_decode(text)[0]
        return _LENIENT.decode(text)
    except json.JSONDecodeError as exc:
        shown = text if len(text) <= 200 else text[:200] + "..."
        raise ConstrainedOutputError(
            f"the reply is not valid JSON ({exc.msg} at character {exc.pos}): {shown}") from None


def _answer(arguments: dict[str, Any], choices: Choices) -> AnswerReply:
    if not choices.answer:
        raise ConstrainedOutputError(f"a tool call is required now, not an answer; {_options(choices)}", name=ANSWER)
    text = arguments.get("text")
    if not isinstance(text, str):
        raise ConstrainedOutputError('an answer needs "arguments": {"text": "<your reply>"}', name=ANSWER)
    return AnswerReply(text=text)


def _answer_in_words(text: str, choices: Choices) -> AnswerReply:
    if not choices.answer:
        raise ConstrainedOutputError(f"a tool call is required now, not words; {_options(choices)}")
    return AnswerReply(text=text.strip())


def _truncated_answer(text: str) -> AnswerReply | None:
    """The words of an answer that was cut off (the token limit) before its closing quote."""
    stream = AnswerStream()
    stream.feed(text)
    return AnswerReply(text=stream.text, truncated=True) if stream.state is Phase.text else None


_WRAPPERS = re.compile(r"</?tool_call>|```(?:json)?")


def _strip_wrappers(text: str) -> str:
    """Qwen-style ``<tool_call>`` tags and Markdown code fences around a JSON reply."""
    return _WRAPPERS.sub("", text).strip()


def _options(choices: Choices) -> str:
    names = choices.names + ([ANSWER] if choices.answer else [])
    return f"choose one of: {', '.join(names)}"


def _call_id() -> str:
    return f"call_{uuid.uuid4().hex[:16]}"
