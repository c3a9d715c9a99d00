"""The MCP server's tools as a client lists them: the plant's tools whose systems the plant has and the server's
own queue tools, each with its argument schema, the schema of its structured result, and hints from its risk
class; and what a call returns as structured content, from the tool's typed result."""

from __future__ import annotations

from functools import cache
from typing import Any

import mcp_types as types
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from connectors.plant import Plant
from connectors.settings import ConnectorSettings
from copilot import ActionState, CallOutcome, Risk, Status, System

KEY = "idempotency_key"
KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 200,
              "description": "your own key for this change: the same key again (a retry) is the same call and is "
                             "never made twice; a new change needs a new key"}

HINTS = {  # what a risk class tells a client; every tool acts on this plant alone (a closed world)
    Risk.read: types.ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                     open_world_hint=False),
    Risk.write: types.ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False,
                                      open_world_hint=False),
    Risk.critical: types.ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False,
                                         open_world_hint=False),
}


def _undescribed(schema: dict[str, Any]) -> None:
    schema.pop("description", None)


class _Schema(BaseModel):
    """Base of this server's own schemas: a docstring is for this code's readers, never in a client's schema."""

    model_config = ConfigDict(json_schema_extra=_undescribed)


class ActionId(_Schema):
    """The arguments of a queue tool that names one action."""

    action_id: str = Field(min_length=1, max_length=100, description="the action id a waiting change returned")


class Decision(ActionId):
    """The arguments of a vote on a waiting action: its id and a comment."""

    comment: str = Field(default="", max_length=1000, description="why, for the audit log and the requester")


class Queued(_Schema):
    """One action waiting for sign-off, as pending_actions lists it."""

    action_id: str
    tool: str
    change: str
    requester: str
    via: str
    needs: str
    approvers: list[str]


class QueueListing(_Schema):
    """What pending_actions returns."""

    actions: list[Queued]


class Own(BaseModel):
    """A tool of this server's own: the queue and the state of actions, for the caller as themself."""

    name: str
    description: str
    args: type[BaseModel] | None
    risk: Risk  # approving may run a critical change; rejecting ends a wait
    result: Any


OWN = [
    Own(name="action_status", args=ActionId, risk=Risk.read, result=ActionState, description="Where an action "
        "stands: waiting for sign-off, run (with its result and the values it changed), rejected, expired or "
        "failed. For its requester, those who may sign it off and those who did."),
    Own(name="pending_actions", args=None, risk=Risk.read, result=QueueListing, description="The actions waiting "
        "for sign-off: who asked, the exact change, the approvals they need."),
    Own(name="approve_action", args=Decision, risk=Risk.critical, result=ActionState, description="Approve a "
        "waiting action, as yourself: the policy decides whether your role may, and nobody approves their own "
        "request. Once it has its approvals it runs, and you get where it stands."),
    Own(name="reject_action", args=Decision, risk=Risk.write, result=ActionState, description="Reject a waiting "
        "action, with a comment the requester sees."),
]
OWN_NAMES = frozenset(o.name for o in OWN)


def systems_of(connectors: ConnectorSettings, plant: Plant, *, manuals: bool) -> frozenset[System]:
    """The systems beside its PLCs a plant has: an ERP when its plant file lists parts or suppliers or the ERP's
    address is set (not the default one), an MES likewise with products or production orders, the manuals
    when a store is loaded, and a PLM when the site has a PLM file or the PLM's address is set."""
    defaults = ConnectorSettings.model_fields
    has = {
        System.erp: bool(plant.parts or plant.suppliers)
        or connectors.erp_url != f"http://{connectors.host}:{defaults['erp_port'].default}",
        System.mes: bool(plant.products or plant.production_orders)
        or connectors.mes_url != f"http://{connectors.host}:{defaults['mes_port'].default}",
        System.manuals: manuals,
        System.plm: connectors.plm_file.exists()
        or connectors.plm_url != f"http://{connectors.host}:{defaults['plm_port'].default}",
    }
    return frozenset(system for system, present in has.items() if present)


def _input_schema(model: type[BaseModel] | None, *, keyed: bool = False) -> dict[str, Any]:
    schema = model.model_json_schema() if model else {"type": "object", "properties": {}}
    schema.pop("title", None)
    if keyed:
        schema = {**schema, "properties": {**schema.get("properties", {}), KEY: KEY_SCHEMA}}
    return schema


def _output_schema(adapter: TypeAdapter) -> dict[str, Any]:
    schema = adapter.json_schema(mode="serialization")
    schema.pop("title", None)
    schema.pop("description", None)  # a type's docstring is for this code's readers; the tool has its description
    return schema


@cache
def _outcome_type(name: str, result: Any) -> TypeAdapter:
    """The structured result of a call of one plant tool: what became of it and the tool's own typed result."""
    return TypeAdapter(create_model(f"{name}_outcome", status=(Status, ...), action_id=(str, ...),
                                    change=(str | None, None), result=(result | None, None)))


@cache
def _own_type(result: Any) -> TypeAdapter:
    return TypeAdapter(result)


def listed(tools: dict[str, Any], systems: frozenset[System]) -> list[types.Tool]:
    """The plant's tools whose systems the plant has, then the server's own."""
    found = [types.Tool(name=t.name, description=t.description, input_schema=_input_schema(t.args, keyed=t.changes),
                        output_schema=_output_schema(_outcome_type(t.name, t.result)), annotations=HINTS[t.risk])
             for t in tools.values() if t.systems <= systems]
    return found + [types.Tool(name=o.name, description=o.description, input_schema=_input_schema(o.args),
                               output_schema=_output_schema(_own_type(o.result)), annotations=HINTS[o.risk])
                    for o in OWN]


def structured(tool: Any, outcome: CallOutcome) -> dict[str, Any]:
    """A call's outcome as its tool's output schema has it: the result read back as the tool's declared type."""
    result = tool.result_of(outcome.result) if outcome.result is not None else None
    shaped = _outcome_type(tool.name, tool.result).validate_python(
        {"status": outcome.status, "action_id": outcome.action_id, "change": outcome.change, "result": result})
    return _outcome_type(tool.name, tool.result).dump_python(shaped, mode="json")


def state(action: ActionState) -> dict[str, Any]:
    """Where an action stands, as the queue tools' output schema has it."""
    return _own_type(ActionState).dump_python(action, mode="json")


def queue(pending: list[Any]) -> dict[str, Any]:
    """The actions waiting for sign-off, as pending_actions' output schema has them."""
    listing = QueueListing(actions=[
        Queued(action_id=a.action_id, tool=a.tool, change=a.change, requester=a.requester,
               via=a.via.label, needs=a.decision.summary(), approvers=a.approvers) for a in pending])
    return listing.model_dump(mode="json")
