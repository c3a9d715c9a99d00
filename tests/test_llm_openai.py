"""The OpenAI-compatible provider over real HTTP: a chat-completions server on loopback plays recorded replies.

The server speaks the protocol as OpenAI, vLLM and llama.cpp server do
(server-sent events for streams, a JSON body otherwise) and keeps every request
it got, so the tests check both what the provider sends and what it makes of
the reply.
"""

from __future__ import annotations

import json
import socket
from collections import deque
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from http_services import serving
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel, Field, SecretStr

from copilot.llm.constrained import CALLING
from copilot.llm.errors import FormatRefused, ModelUnavailable
from copilot.llm.openai_compat import OpenAIChatModel
from copilot.llm.response_format import Dialects, ResponseFormat


class machine_status(BaseModel):
    """Read one machine's live status."""

    machine_id: str = Field(description="machine id, e.g. P-101")


class inventory(BaseModel):
    """Stock of a spare part."""

    part_id: str


class create_work_order(BaseModel):
    """Open a maintenance work order."""

    machine_id: str
    title: str


TOOLS = [machine_status, inventory, create_work_order]
SYSTEM = SystemMessage("You are Plant Copilot.")
ASK = HumanMessage("What is the vibration of P-101?")
USAGE = {"prompt_tokens": 120, "completion_tokens": 9, "total_tokens": 129,
         "prompt_tokens_details": {"cached_tokens": 96}}


class Recorded:
    """The server's memory: replies to play (lists of stream deltas) and the requests it received."""

    def __init__(self) -> None:
        self.replies: deque[tuple[list[dict[str, Any]], str] | int] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.takes_json_schema = True
        """False: refuse ``response_format`` of type json_schema as llama-cpp-python's server does."""

    def reply(self, *deltas: dict[str, Any], finish: str | None = "stop") -> None:
        self.replies.append((list(deltas), finish))

    def refuse(self, status: int) -> None:
        self.replies.append(status)


def _events(deltas: list[dict[str, Any]], finish: str | None) -> Iterator[str]:
    base = {"id": "chatcmpl-rec", "object": "chat.completion.chunk", "created": 1, "model": "served-model"}
    for delta in deltas:
        yield f"data: {json.dumps({**base, 'choices': [{'index': 0, 'delta': delta, 'finish_reason': None}]})}\n\n"
    yield f"data: {json.dumps({**base, 'choices': [{'index': 0, 'delta': {}, 'finish_reason': finish}]})}\n\n"
    yield f"data: {json.dumps({**base, 'choices': [], 'usage': USAGE})}\n\n"
    yield "data: [DONE]\n\n"


def _app(rec: Recorded) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request):
        body = await request.json()
        rec.requests.append(body)
        rec.headers.append(dict(request.headers))
        if not rec.takes_json_schema and (body.get("response_format") or {}).get("type") == "json_schema":
            error = {"message": "1 validation error: Input should be 'text' or 'json_object'",
                     "type": "internal_server_error"}
            return JSONResponse({"error": error}, status_code=500)
        reply = rec.replies.popleft()
        if isinstance(reply, int):
            error = {"message": "This model's maximum context length is 8192 tokens", "type": "invalid_request_error"}
            return JSONResponse({"error": error}, status_code=reply)
        deltas, finish = reply
        if body.get("stream"):
            return StreamingResponse(_events(deltas, finish), media_type="text/event-stream")
        content = "".join(d.get("content") or "" for d in deltas)
        return JSONResponse({
            "id": "chatcmpl-rec", "object": "chat.completion", "created": 1, "model": "served-model", "usage": USAGE,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
        })

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Recorded]]:
    rec = Recorded()
    with serving(_app(rec)) as url:
        yield url + "/v1", rec


@pytest.fixture
def rec(server) -> Recorded:
    _, rec = server
    rec.replies.clear()
    rec.requests.clear()
    rec.headers.clear()
    rec.takes_json_schema = True
    return rec


def model(server, **kw: Any) -> OpenAIChatModel:
    """A model with a memory of dialects of its own, so what one test's server accepted never leaks into another."""
    url, _ = server
    return OpenAIChatModel(model="served-model", base_url=url, api_key=SecretStr("sk-test-secret"),
                           dialects=kw.pop("dialects", Dialects()), **kw)


def call_delta(index: int, *, id: str | None = None, name: str | None = None, arguments: str = "") -> dict:
    function = {"arguments": arguments} | ({"name": name} if name else {})
    return {"tool_calls": [{"index": index, **({"id": id, "type": "function"} if id else {}), "function": function}]}


def reason(bad: dict) -> str:
    """Why a call is invalid, read as the graph reads it: a joined stream keeps the reason in ``args``."""
    return bad["error"] or bad["args"]


# -- native tool calling -------------------------------------------------------------------------------


async def test_native_tool_calls_arrive_whole_from_a_stream_of_pieces(server, rec: Recorded) -> None:
    rec.reply(
        {"role": "assistant", "content": "Reading it."},
        call_delta(0, id="call_abc", name="machine_status", arguments='{"machine'),
        call_delta(0, arguments='_id": "P-101"}'),
        finish="tool_calls",
    )
    reply = await model(server).bind_tools(TOOLS).ainvoke([SYSTEM, ASK])
    assert reply.content == "Reading it."
    assert reply.tool_calls == [{"name": "machine_status", "args": {"machine_id": "P-101"}, "id": "call_abc",
                                 "type": "tool_call"}]
    assert reply.usage_metadata["input_tokens"] == 120
    assert reply.usage_metadata["input_token_details"] == {"cache_read": 96}
    assert reply.response_metadata["finish_reason"] == "tool_calls"

    [sent] = rec.requests
    assert [t["function"]["name"] for t in sent["tools"]] == ["machine_status", "inventory", "create_work_order"]
    assert sent["tool_choice"] == "auto" and sent["stream"] is True and sent["model"] == "served-model"
    assert sent["messages"] == [{"role": "system", "content": "You are Plant Copilot."},
                                {"role": "user", "content": "What is the vibration of P-101?"}]
    assert rec.headers[0]["authorization"] == "Bearer sk-test-secret"


class _Listener(BaseCallbackHandler):
    """What a stream's listeners hear of the calls: the names told before the arguments."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def on_llm_new_token(self, token, *, chunk=None, **kwargs) -> None:
        self.names += [name] if (name := chunk.message.response_metadata.get(CALLING)) else []


async def test_a_native_call_is_told_to_listeners_by_its_name_once_before_its_arguments(server, rec) -> None:
    rec.reply({"role": "assistant", "content": "Reading it."},
              call_delta(0, id="call_abc", name="machine_status", arguments='{"machine'),
              call_delta(0, arguments='_id": "P-101"}'), finish="tool_calls")
    listener = _Listener()
    reply = await model(server).bind_tools(TOOLS).ainvoke([SYSTEM, ASK], config={"callbacks": [listener]})
    assert listener.names == ["machine_status"] and [c["name"] for c in reply.tool_calls] == ["machine_status"]


def test_a_constrained_call_is_told_by_its_name_and_an_answer_is_not(server, rec) -> None:
    rec.reply(*({"content": p} for p in ['{"name": "inven', 'tory", "arguments": {"part_id": ', '"BRG-6205"}}']))
    rec.reply(*({"content": p} for p in ['{"name": "answer", "arguments": {"text": "', 'Fine."}}']))
    listener = _Listener()
    chat = model(server, constrained=True).bind_tools(TOOLS)
    reply = chat.invoke([SYSTEM, ASK], config={"callbacks": [listener]})  # the synchronous client path
    assert [c["name"] for c in reply.tool_calls] == ["inventory"]
    assert chat.invoke([SYSTEM, ASK], config={"callbacks": [listener]}).content == "Fine."
    assert listener.names == ["inventory"]


def test_history_with_tool_results_is_sent_in_the_openai_format(server, rec: Recorded) -> None:
    rec.reply({"content": "Vibration is 7.9 mm/s, above the 7.1 alarm."})
    history = [SYSTEM, ASK,
               AIMessage(content="",
                         tool_calls=[{"name": "machine_status", "args": {"machine_id": "P-101"}, "id": "c1"}]),
               ToolMessage(content='{"vibration": 7.9}', tool_call_id="c1")]
    reply = model(server).bind_tools(TOOLS).invoke(history)  # the synchronous client path
    assert reply.content == "Vibration is 7.9 mm/s, above the 7.1 alarm." and reply.tool_calls == []
    sent = rec.requests[0]["messages"]
    assert sent[2]["tool_calls"] == [{"type": "function", "id": "c1",
                                      "function": {"name": "machine_status", "arguments": '{"machine_id": "P-101"}'}}]
    assert sent[3] == {"role": "tool", "tool_call_id": "c1", "content": '{"vibration": 7.9}'}


@pytest.mark.parametrize(
    ("narrowing", "tools_sent", "tool_choice_sent"),
    [
        ({"allowed_tools": ["inventory", "create_work_order"]}, ["inventory", "create_work_order"], "auto"),
        ({"tool_choice": "none"}, ["machine_status", "inventory", "create_work_order"], "none"),
        ({"tool_choice": "inventory"}, ["inventory"], {"type": "function", "function": {"name": "inventory"}}),
        ({"tool_choice": "required", "allowed_tools": ["inventory", "machine_status"]},
         ["machine_status", "inventory"], "required"),
    ],
)
async def test_narrowing_per_call_restricts_the_tools_sent(
    server, rec, narrowing, tools_sent, tool_choice_sent,
) -> None:
    rec.reply({"content": "ok"})
    await model(server).bind_tools(TOOLS).ainvoke([SYSTEM, ASK], **narrowing)
    [sent] = rec.requests
    assert [t["function"]["name"] for t in sent["tools"]] == tools_sent
    assert sent["tool_choice"] == tool_choice_sent


async def test_a_native_call_that_is_not_allowed_or_not_json_comes_back_invalid_with_a_reason(server, rec) -> None:
    rec.reply(
        call_delta(0, id="call_1", name="machine_status", arguments='{"machine_id": "P-101"}'),
        call_delta(1, id="call_2", name="inventory", arguments='{"part_id": "BRG-62'),
        finish="length",
    )
    reply = await model(server).bind_tools(TOOLS).ainvoke([SYSTEM, ASK], allowed_tools=["inventory"])
    assert reply.tool_calls == []
    first, second = reply.invalid_tool_calls
    assert first["name"] == "machine_status"
    assert "'machine_status' is not available now; tools: inventory" in reason(first)
    assert second["name"] == "inventory" and "not valid JSON" in reason(second)


# -- constrained mode against a server that takes a JSON schema ------------------------------------------


async def test_constrained_mode_asks_for_a_json_schema_and_converts_the_reply_to_a_tool_call(server, rec) -> None:
    rec.reply({"content": '{"name": "machine_status", '}, {"content": '"arguments": {"machine_id": "P-101"}}'})
    reply = await model(server, constrained=True).bind_tools(TOOLS).ainvoke(
        [SYSTEM, ASK], allowed_tools=["machine_status", "inventory"])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("machine_status", {"machine_id": "P-101"})]
    assert reply.content == ""

    [sent] = rec.requests
    assert "tools" not in sent and "tool_choice" not in sent
    fmt = sent["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "reply"
    names = [o["properties"]["name"]["const"] for o in fmt["json_schema"]["schema"]["anyOf"]]
    assert names == ["machine_status", "inventory", "answer"]
    system = sent["messages"][0]["content"]
    assert system.startswith("You are Plant Copilot.\n\n# Tools") and "- create_work_order:" in system


async def test_constrained_answers_stream_as_words(server, rec) -> None:
    rec.reply(*({"content": piece} for piece in ['{"name": "answer", "arg', 'uments": {"text": "Vibration ',
                                                 'is 7.9', ' mm/s."}}']))
    chunks = [c async for c in model(server, constrained=True).bind_tools(TOOLS).astream([SYSTEM, ASK])]
    words = [c.content for c in chunks if c.content]
    assert words == ["Vibration ", "is 7.9", " mm/s."]
    joined = chunks[0]
    for c in chunks[1:]:
        joined += c
    assert joined.content == "Vibration is 7.9 mm/s." and joined.tool_calls == []


async def test_constrained_output_naming_a_tool_outside_the_choice_is_invalid(server, rec) -> None:
    rec.reply({"content": '{"name": "create_work_order", "arguments": {"machine_id": "P-101", "title": "x"}}'})
    reply = await model(server, constrained=True).bind_tools(TOOLS).ainvoke([SYSTEM, ASK], tool_choice="none")
    [bad] = reply.invalid_tool_calls
    assert "'create_work_order' is not available now; choose one of: answer" in reason(bad)


def formats_sent(rec: Recorded) -> list[str]:
    return [r["response_format"]["type"] for r in rec.requests]


async def test_auto_falls_back_to_json_object_once_and_remembers_it_for_the_endpoint(server, rec) -> None:
    rec.takes_json_schema = False
    memory = Dialects()
    rec.reply({"content": '{"name": "machine_status", "arguments": {"machine_id": "P-101"}}'})
    reply = await model(server, constrained=True, dialects=memory).bind_tools(TOOLS).ainvoke([SYSTEM, ASK])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("machine_status", {"machine_id": "P-101"})]
    *refused, accepted = formats_sent(rec)
    assert refused and set(refused) == {"json_schema"} and accepted == "json_object"
    sent = rec.requests[-1]["response_format"]
    assert [o["properties"]["name"]["const"] for o in sent["schema"]["anyOf"]] == [
        "machine_status", "inventory", "create_work_order", "answer"]

    rec.requests.clear()  # another model on the same endpoint, in the same process: straight to what worked
    rec.reply({"content": '{"name": "answer", "arguments": {"text": "7.9 mm/s"}}'})
    reply = model(server, constrained=True, dialects=memory).bind_tools(TOOLS).invoke([SYSTEM, ASK])
    assert reply.content == "7.9 mm/s" and formats_sent(rec) == ["json_object"]


def test_a_set_dialect_is_the_only_one_sent_and_its_refusal_says_what_to_set(server, rec) -> None:
    rec.reply({"content": '{"name": "answer", "arguments": {"text": "ok"}}'})
    chat = model(server, constrained=True, response_format=ResponseFormat.json_object_schema,
                 extra_body={"repeat_penalty": 1.0})
    assert chat.bind_tools(TOOLS).invoke([SYSTEM, ASK]).content == "ok"
    assert formats_sent(rec) == ["json_object"] and rec.requests[0]["repeat_penalty"] == 1.0

    rec.takes_json_schema = False
    chat = model(server, constrained=True, response_format=ResponseFormat.json_schema)
    with pytest.raises(FormatRefused, match=r"/v1 \(model served-model\) refused the constrained reply format "
                                            r"\(json_schema: HTTP 500: .*'json_object'\); "
                                            r".*set COPILOT_RESPONSE_FORMAT to auto or json_object_schema"):
        chat.bind_tools(TOOLS).invoke([SYSTEM, ASK])
    assert set(formats_sent(rec)[1:]) == {"json_schema"}


async def test_a_server_that_takes_neither_dialect_is_told_apart_from_one_format(server, rec) -> None:
    rec.refuse(400)
    rec.refuse(400)
    with pytest.raises(FormatRefused, match=r"json_schema: HTTP 400: .*; json_object_schema: HTTP 400: .*; it takes "
                                            r"neither reply format; set COPILOT_TOOL_CALL_MODE=native"):
        await model(server, constrained=True).bind_tools(TOOLS).ainvoke([SYSTEM, ASK])
    assert formats_sent(rec) == ["json_schema", "json_object"]


async def test_a_request_without_tools_asks_for_no_format(server, rec) -> None:
    rec.takes_json_schema = False
    rec.reply({"content": "Hello."})
    reply = await model(server, constrained=True).ainvoke([SYSTEM, ASK])
    assert reply.content == "Hello." and "response_format" not in rec.requests[0]


async def test_a_stream_cut_short_is_an_error_not_half_a_reply(server, rec) -> None:
    rec.reply({"content": '{"name": "machine_status", "arguments": {"machine'}, finish=None)
    with pytest.raises(ModelUnavailable, match="before the reply was finished .*--interrupt_requests False"):
        await model(server, constrained=True).bind_tools(TOOLS).ainvoke([SYSTEM, ASK])


# -- failures ------------------------------------------------------------------------------------------


async def test_a_refused_request_is_a_typed_error_naming_the_endpoint(server, rec) -> None:
    rec.refuse(400)
    with pytest.raises(ModelUnavailable, match=r"/v1 \(model served-model\) refused the request: HTTP 400: .*maximum "
                                                r"context length"):
        await model(server).bind_tools(TOOLS).ainvoke([SYSTEM, ASK])


def test_an_endpoint_that_does_not_listen_is_a_typed_error() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chat = OpenAIChatModel(model="m", base_url=f"http://127.0.0.1:{port}/v1", timeout_s=5)
    with pytest.raises(ModelUnavailable, match=f"127.0.0.1:{port}/v1 \\(model m\\) is unavailable: Connection error"):
        chat.invoke([ASK])


# -- warm-up and secrets -------------------------------------------------------------------------------


def test_warm_up_sends_the_prefix_once_for_one_token(server, rec) -> None:
    rec.reply({"content": "."})
    warm = model(server).warm_up("You are Plant Copilot.", TOOLS)
    assert warm.prefix_tokens == 120
    [sent] = rec.requests
    assert sent["max_tokens"] == 1 and len(sent["tools"]) == 3
    assert sent["messages"] == [{"role": "system", "content": "You are Plant Copilot."}]


def test_the_api_key_is_never_shown(server) -> None:
    chat = model(server)
    assert "sk-test-secret" not in repr(chat) and "sk-test-secret" not in str(chat.model_dump())


def test_the_openai_cloud_without_a_key_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        OpenAIChatModel(model="gpt-4o-mini")
