"""The model node: the model chooses a procedure, a plan step or a tool call, or answers.

Who chooses depends on the run: a caller's own procedure or tool call needs no model; a first message with
procedures in use goes to the chooser; otherwise the free loop calls tools, narrowed so a small model moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, ToolCall, ToolMessage

from copilot.agent.claims import NOTHING_CHANGED, claims_a_change, unbacked
from copilot.agent.messages import new_call_id, tool_reply, with_own_ids
from copilot.agent.planning import plan_narrowing
from copilot.agent.prompt import RESTATING, TELLING_APART, BoundModel
from copilot.agent.runtime import Runtime
from copilot.agent.state import AgentState, Tasks, kept_run, turn_of
from copilot.agent.status import Status, ToolArtifact
from copilot.llm.errors import LLMError, ModelUnavailable, Outage
from copilot.procedures.answer import faithful, restating_request
from copilot.procedures.chooser import (
    OTHER,
    chooser_messages,
    latest_request,
    previous_procedure,
    request_language,
    said_earlier,
)
from copilot.procedures.details import adds_detail
from copilot.procedures.features import configuration_said, product_said
from copilot.procedures.language import LANGUAGE_NAMES
from copilot.procedures.orders_named import order_named_last
from copilot.procedures.questions import is_question
from copilot.procedures.run import AUTHOR, ProcedureRun, RunState
from copilot.procedures.spec import SlotKind
from copilot.procedures.tasks import (
    TASKS,
    may_hold_several,
    one_machine_each,
    tasks_of,
    telling_apart,
    with_subject,
)
from copilot.procedures.values import counted_only, fits_a_setpoint, values_set
from copilot.store.approvals import Origin
from copilot.understanding.choices import preference_in
from copilot.understanding.commands import commands_said
from copilot.understanding.machines import lines_named, machines_named
from copilot.understanding.numbers import in_digits
from copilot.understanding.purchases import buying_said
from copilot.understanding.references import consents, repeats_earlier
from copilot.understanding.works import work_asked
from policies.model import Risk
from tools.base import Tool
from tools.create_work_order import create_work_order

_SETPOINTS = frozenset({SlotKind.setpoint_changes})
_COUNTS = frozenset({SlotKind.total, SlotKind.more})
_VALUES = _SETPOINTS | _COUNTS
"""The slot kinds that take a value a request sets ("to 75", "down 5", "300 more")."""


def narrowing(turn: list[AnyMessage], tools: list[str]) -> dict[str, Any]:
    """How to narrow the next free-loop call so a small model moves on instead of repeating itself:
    after a blocked repeat, only an answer; otherwise not the tools whose results it has just read."""
    last_results: list[ToolMessage] = []
    for message in reversed(turn):
        if not isinstance(message, ToolMessage):
            break
        last_results.append(message)
    statuses = {ToolArtifact.of(m).status for m in last_results}
    if Status.blocked in statuses:
        return {"tool_choice": "none"}
    just_read = {m.name for m in last_results if ToolArtifact.of(m).status is Status.done}
    allowed = [t for t in tools if t not in just_read]
    return {"allowed_tools": allowed} if just_read and allowed else {}


def without_changes(narrowed: dict[str, Any], bound: list[str], tools: dict[str, Tool]) -> dict[str, Any]:
    """The narrowing of a question's turn: the same, less every tool that changes something (an answer when
    nothing else is left)."""
    changes = {name for name, tool in tools.items() if tool.risk != Risk.read}
    choice = narrowed.get("tool_choice")
    if isinstance(choice, str) and choice not in ("auto", "required", "any"):
        return {"tool_choice": "none"} if choice in changes else narrowed
    allowed = [name for name in narrowed.get("allowed_tools", bound) if name not in changes]
    return {"allowed_tools": allowed} if allowed else {"tool_choice": "none"}


OUTAGE = "outage"
"""The key of an answer's ``additional_kwargs`` that says no model answered, and why (copilot.llm.errors.Outage)."""


def ending(text: str, tasks: Tasks | None, outage: Outage | None = None) -> dict:
    """The turn ended early with ``text`` (``outage``: because no model answered): after what the tasks before it
    became, if the request had several."""
    kept = {OUTAGE: str(outage)} if outage else {}
    if tasks is None:
        return {"messages": [AIMessage(content=text, additional_kwargs=kept)]}
    return {"messages": [AIMessage(content=tasks.answer(text, finished=False), additional_kwargs=kept)],
            "tasks": None}


def told_last(reply: AIMessage, tasks: Tasks | None, said: list[AnyMessage] = ()) -> dict:
    """A reply in words that ends the turn; where the request held several tasks, after what the tasks before it
    became and before the question a task deferred (its run kept for the reply)."""
    if tasks is None:
        return {"messages": [*said, reply], "procedure": None}
    told = AIMessage(content=tasks.answer(reply.text), id=reply.id, additional_kwargs=reply.additional_kwargs)
    return {"messages": [*said, told], "procedure": tasks.asked, "tasks": None}


@dataclass
class Choose:
    """The ``model`` node: one choice per call, or the answer."""

    rt: Runtime
    bound: BoundModel

    async def __call__(self, state: AgentState) -> dict:
        tasks = state.get("tasks")
        turn = turn_of(state, self.bound.choices)
        first = not any(isinstance(m, AIMessage) for m in turn)
        if sum(isinstance(m, AIMessage) for m in turn) >= self.rt.settings.max_steps_per_turn:
            return ending(self._stopped(), tasks)
        if first and self.rt.procedures and (chosen := state.get("chosen")):
            call = {"name": chosen.procedure, "args": chosen.slots, "id": new_call_id(), "type": "tool_call"}
            return {"messages": [AIMessage(content="", tool_calls=[call], name=AUTHOR)],
                    "chosen": chosen if chosen.as_given else None}  # the procedure node runs a form's as given
        if first and (called := state.get("called")):
            via = str(state.get("via", Origin.mcp))
            return {"messages": [AIMessage(content="", tool_calls=[called.as_call()], name=via)]}
        try:
            if first and self.rt.procedures:
                return await self._choose_procedure(state)
            reply = with_own_ids(await self._free_loop(state["messages"], turn, tasks))
            request = tasks.task if tasks is not None else latest_request(state["messages"])
            if not is_question(request) and unbacked(reply, turn, self.rt.tools):
                reply = AIMessage(content=NOTHING_CHANGED, id=reply.id)
            if tasks is not None and tasks.more and not reply.tool_calls:  # this task answered, on to the next
                return {"messages": [reply], "tasks": tasks.answered(None)}
            return {"messages": [reply]} if reply.tool_calls else told_last(reply, tasks)
        except LLMError as exc:  # the operator learns the model is down; the run ends cleanly, nothing more runs
            outage = exc.outage if isinstance(exc, ModelUnavailable) else Outage.down
            return ending(f"I cannot think right now: {exc}", tasks, outage)

    def _stopped(self) -> str:
        return (f"I stopped after {self.rt.settings.max_steps_per_turn} steps without finishing. "
                "Here is what I found so far in the steps above; please narrow the request.")

    async def _choose_procedure(self, state: AgentState) -> dict:
        """The chooser: a procedure and its slots, or an answer in words (then no question stays open; words that
        claim a change to an instruction, or answer a consent ("ok, do it"), are no answer: the model must choose);
        a request of several tasks is told
        apart first, and each task chosen for in turn."""
        asking, tasks, said = kept_run(state), state.get("tasks"), []
        if tasks is None and asking is None and not self._added_to(latest_request(state["messages"]),
                                                                    state["messages"]):
            said, tasks = await self._tell_apart(state["messages"])
        messages = [*state["messages"], *said]
        request = tasks.task if tasks is not None else latest_request(messages)
        lang = request_language(messages)
        english = await self._in_english(request, lang) if self.bound.brief else None
        heard = chooser_messages(self.bound.head, messages, asking, brief=self.bound.brief, english=english,
                                 task=tasks.task if tasks is not None else None, lang=lang)
        choosable = self._choosable(asking, request, messages)
        reply = with_own_ids(await self.bound.model.ainvoke(heard, allowed_tools=choosable))
        if not reply.tool_calls and not is_question(request) and (claims_a_change(reply.text) or consents(request)):
            reply = with_own_ids(await self.bound.model.ainvoke(heard, allowed_tools=choosable, tool_choice="required"))
            if not reply.tool_calls:
                reply = AIMessage(content="", tool_calls=[{"name": OTHER, "args": {}, "id": new_call_id(),
                                                           "type": "tool_call"}])
        if among := self._rechoice(reply, request, english, lang, choosable, messages):  # see _rechoice
            forced = {} if OTHER in among else {"tool_choice": "required"}
            again = with_own_ids(await self.bound.model.ainvoke(heard, allowed_tools=among, **forced))
            reply = again if again.tool_calls else reply
        picked = reply.tool_calls[0]["name"] if reply.tool_calls else None
        if picked in self.bound.choices and picked not in choosable:  # a model that ignored the list
            reply = AIMessage(content="", tool_calls=[{**reply.tool_calls[0], "name": OTHER, "args": {}}])
        if not reply.tool_calls:
            if tasks is not None and tasks.more:
                return {"messages": [*said, reply], "procedure": None, "tasks": tasks.answered(None)}
            return told_last(reply, tasks, said)
        return {"messages": [*said, reply], "restated": english, "tasks": tasks}

    async def _tell_apart(self, messages: list[AnyMessage]) -> tuple[list[AnyMessage], Tasks | None]:
        """A request that may hold several tasks, told apart by the model: the call and its reply as they stay in
        the conversation (whenever the model was asked), and the tasks (None when it is one)."""
        request, lang = latest_request(messages), request_language(messages)
        if not may_hold_several(request, lang):
            return [], None
        seen = [] if self.bound.brief else messages
        asked = telling_apart(request, as_turns=self.bound.brief)
        written = await self.bound.model.ainvoke([*self.bound.head, *seen, *asked],
                                                 config={"tags": [TELLING_APART]}, tool_choice="none")
        told = one_machine_each(tasks_of(written.text, request, in_digits(request, lang), lang), self.rt.deps.plant,
                                lang)
        tasks = with_subject(told, request, self.rt.deps.plant, lang)
        call = ToolCall(name=TASKS, args={"tasks": tasks}, id=new_call_id(), type="tool_call")
        said = [AIMessage(content="", tool_calls=[call]),
                tool_reply(call, Status.done, "\n".join(f"{i}. {task}" for i, task in enumerate(tasks, 1)))]
        return said, Tasks(tasks=tasks) if len(tasks) > 1 else None

    async def _free_loop(self, messages: list[AnyMessage], turn: list[AnyMessage], tasks: Tasks | None) -> AIMessage:
        narrowed = plan_narrowing(turn) if self.bound.planning else narrowing(turn, list(self.rt.tools))
        if is_question(tasks.task if tasks is not None else latest_request(messages)):
            narrowed = without_changes(narrowed, self.bound.tool_names, self.rt.tools)
        return await self.bound.model.ainvoke([*self.bound.loop_head, *messages], **narrowed)

    def _choosable(self, asking: ProcedureRun | None, request: str, messages: list[AnyMessage]) -> list[str]:
        """What the chooser may pick: after a question asked back, the reply continues that procedure (or, if it
        asks for something else, goes to the free loop); "the same for ..." and a reply that only adds details
        ("make it 2, whoever's quickest") the procedure of the request before;
        for a question, only the procedures that change nothing; otherwise every procedure."""
        if asking is not None and asking.outcome is RunState.asking:
            return [asking.procedure, OTHER]
        if repeats_earlier(request) and (before := previous_procedure(messages, self.rt.procedures.names)):
            return [before, OTHER]
        if before := self._added_to(request, messages):
            return [before, OTHER]
        if is_question(request):
            return [c for c in self.bound.choices if c == OTHER or not self.rt.procedures.get(c).changes]
        return list(self.bound.choices)

    def _added_to(self, request: str, messages: list[AnyMessage]) -> str | None:
        """The procedure a reply that only adds details continues: the one chosen for the request before, where it
        changes something."""
        before = previous_procedure(messages, self.rt.procedures.names)
        if before is None or not self.rt.procedures.get(before).changes:
            return None
        return before if adds_detail(request, request_language(messages), self.rt.deps.plant) else None

    def _rechoice(self, reply: AIMessage, request: str, english: str | None, lang: str, choosable: list[str],
                  messages: list[AnyMessage]) -> list[str]:
        """What to choose among again, with the same prompt, where the pick disagrees with what the request says
        (a configuration, a command, work, a purchase, a new value); else nothing."""
        picked = reply.tool_calls[0]["name"] if reply.tool_calls else OTHER
        texts = [request, *([english] if english else [])]
        return (self._configuration(picked, texts, lang, choosable, messages)
                or self._command(picked, texts, lang, choosable) or self._work(picked, texts, lang, choosable)
                or self._buying(picked, texts, lang, choosable) or self._value(picked, texts, lang, choosable)
                or self._subject(picked, texts, lang, choosable))

    def _configuration(self, picked: str, texts: list[str], lang: str, choosable: list[str],
                       messages: list[AnyMessage]) -> list[str]:
        """Only the procedures that need a product, where the chooser picked none of them for a request that
        states a new order (a product, a quantity and a due day, no production order's id); the other choices,
        where it picked one of them for a request that, with the conversation before it, names no product and
        not both a quantity and a due day (a complaint, or "cut the blue UV job to 600", is no configuration) —
        those that take a production order where it describes one by its variant's colour or options and gives a
        quantity or takes options off ("three hundred more on the blue UV job", "the navy WR job: drop the
        water repellent"), or where it names no product nor due day and the conversation last named one order
        ("which order is running on the finishing line?", then "raise it to 32 thousand metres")."""
        procedures, plant = self.rt.procedures, self.rt.deps.plant
        needs = [c for c in choosable if c != OTHER and (slot := procedures.get(c).slot_of(SlotKind.product))
                 and procedures.get(c).slots[slot].required]
        if not needs:
            return []
        said = configuration_said(texts, lang, plant)
        if picked in needs:
            earlier = said_earlier(messages)
            follows = not (said.product or said.due) and bool(order_named_last(earlier, plant))
            if not follows and (said.product or said.quantity and said.due or product_said(earlier, plant)):
                return []
            others = [c for c in choosable if c not in needs]
            ordered = [c for c in others if c != OTHER and procedures.get(c).slot_of(SlotKind.production_order)]
            return ordered if (follows or said.variant and (said.quantity or said.dropped)) and ordered else others
        return needs if said.new_order else []

    def _command(self, picked: str, texts: list[str], lang: str, choosable: list[str]) -> list[str]:
        """The other choices, where the chooser picked a procedure that starts or stops a machine for a request
        that says neither ("put the oven on 185" is no start)."""
        commanding = [c for c in choosable if c != OTHER and self.rt.procedures.get(c).slot_of(SlotKind.command)]
        if picked not in commanding or commands_said(texts[0], lang) \
                or any(commands_said(text) for text in texts[1:]):
            return []
        return [c for c in choosable if c not in commanding]

    def _work(self, picked: str, texts: list[str], lang: str, choosable: list[str]) -> list[str]:
        """The procedures that change something, where the chooser picked one that changes nothing, none, or one
        that buys a part whatever the request says (it takes a part and no flag for buying), for a request that is
        no question, asks for work and says no buying ("get a fitter to check the check ring" opens a job, it buys
        no check ring; "tak tam pošli údržbu" sends maintenance): those that open a work order, where any may be
        chosen."""
        procedures = self.rt.procedures
        chosen = procedures.get(picked) if picked != OTHER else None
        buys = chosen is not None and chosen.slot_of(SlotKind.part) and not chosen.slot_of(SlotKind.purchase)
        if chosen is not None and chosen.changes and not buys or picked != OTHER and chosen is None \
                or is_question(texts[0]):  # a model off the list is not chosen for again
            return []
        if buying_said(texts, lang) or not work_asked(texts, lang):
            return []
        changing = [c for c in choosable if c not in (OTHER, picked) and procedures.get(c).changes]
        return [c for c in changing if create_work_order.name in procedures.get(c).changes] or changing

    def _buying(self, picked: str, texts: list[str], lang: str, choosable: list[str]) -> list[str]:
        """The procedures that change something and take a part, where the chooser picked one that changes nothing,
        or none, for a request that is no question and says to buy so many or how ("zamów 4 sztuki, najtaniej"
        after the padder's bearings were named orders them; "show me the open orders" buys nothing)."""
        procedures = self.rt.procedures
        chosen = procedures.get(picked) if picked != OTHER else None
        if chosen is not None and chosen.changes or picked != OTHER and chosen is None or is_question(texts[0]) \
                or not buying_said(texts, lang):
            return []
        if not (configuration_said(texts, lang, self.rt.deps.plant).quantity or preference_in(texts[0], lang)):
            return []
        return [c for c in choosable if c != OTHER and procedures.get(c).changes
                and procedures.get(c).slot_of(SlotKind.part)]

    def _value(self, picked: str, texts: list[str], lang: str, choosable: list[str]) -> list[str]:
        """For a request that is no question and sets a value ("to 75", "down 5"): the procedures that set one, where
        the chooser picked one that changes nothing, or none ("pH on the jet to 10.6, I approve it" asks no sign-off
        history); those that set a setpoint, where it picked an order's quantity for a value only a setpoint of the
        machine named takes and the request names no order ("take the stenter down 5"); those that set an order's
        quantity, where it picked a setpoint for a value in a unit only the plant's counters take ("the navy on the
        jet down to 7.2 tonnes")."""
        procedures, plant = self.rt.procedures, self.rt.deps.plant
        request = texts[0]

        def taking(kinds: frozenset[SlotKind]) -> list[str]:
            return [c for c in choosable
                    if c != OTHER and any(slot.kind in kinds for slot in procedures.get(c).slots.values())]

        if is_question(request) or picked != OTHER and picked not in procedures.names:  # a model off the list
            return []
        if picked in taking(_SETPOINTS) and counted_only(request, lang, plant):
            return [c for c in taking(_COUNTS) if c != picked]
        if not values_set(request, lang, plant):
            return []
        if picked == OTHER or not procedures.get(picked).changes:
            return taking(_VALUES)
        said = configuration_said(texts, lang, plant)
        if picked in taking(_COUNTS) and not (said.order or said.product or said.variant) \
                and fits_a_setpoint(request, lang, plant):
            return [c for c in taking(_SETPOINTS) if c != picked]
        return []

    def _subject(self, picked: str, texts: list[str], lang: str, choosable: list[str]) -> list[str]:
        """The procedures that take a machine, where the chooser picked one that takes a line and no machine for a
        request that names a machine and no line ("is the stenter where it should be?" asks for no line's alarms);
        only those that change nothing, where the pick changes nothing. A pick that takes a production order
        stays: a machine names its line ("take 400 kg off the navy on the jet")."""
        procedures, plant = self.rt.procedures, self.rt.deps.plant
        chosen = procedures.get(picked) if picked != OTHER else None
        if chosen is None or chosen.slot_of(SlotKind.machine) or not chosen.slot_of(SlotKind.line) \
                or chosen.slot_of(SlotKind.production_order):
            return []
        named = machines_named(texts[0], plant, lang=lang) or any(machines_named(t, plant) for t in texts[1:])
        if not named or any(lines_named(t, plant) for t in texts):
            return []
        return [c for c in choosable if c != OTHER and procedures.get(c).slot_of(SlotKind.machine)
                and (chosen.changes or not procedures.get(c).changes)]  # a read stays a read

    async def _in_english(self, request: str, lang: str) -> str | None:
        """The request (in ``lang``) restated in English by the model, when it is in another language (None for
        English, or when the restatement brings a number or id the request lacks)."""
        if lang == "en" or lang not in LANGUAGE_NAMES:
            return None
        restated = await self.bound.model.ainvoke([*self.bound.head, restating_request(request, lang)],
                                                  config={"tags": [RESTATING]}, tool_choice="none")
        return restated.text if faithful(restated.text, in_digits(request, lang)) else None
