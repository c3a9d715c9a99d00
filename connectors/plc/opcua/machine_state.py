"""Which of a machine's variables is its state, and what its values mean in the policy's words.

The rule (README "Importing from OPC UA"): an integer variable called State or Status (or MachineState,
OperatingState, RunState) whose values the server names (EnumStrings or EnumValues) is the machine's ``state``;
else a Boolean running flag (Running, IsRunning, Run, On), true meaning running and false stopped, read-only ones
first. The names a server gives are put in the policy's words (running, stopped, faulted: "Fault", "Error" and
"Tripped" are faulted); a name with no such word is kept, lower-cased, and said so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connectors.plc.opcua.browse import ServerVariable

STATE_TAG = "state"
"""The tag that holds a machine's state: the policy's ``machine_state`` rules and the tools read it."""

_STATE_NAMES = ("state", "status", "machinestate", "operatingstate", "runstate")
_RUNNING_FLAGS = ("running", "isrunning", "run", "on", "ison")
_INTEGERS = ("uint16", "int16", "uint32", "int32")
_POLICY_WORDS = {
    "running": ("running", "run", "on", "started", "active", "operating", "inoperation", "producing", "production"),
    "stopped": ("stopped", "stop", "off", "halted"),
    "faulted": ("faulted", "fault", "error", "failure", "failed", "tripped", "alarm"),
}


@dataclass(frozen=True)
class StateChoice:
    """The variable that is the machine's state, its values in the policy's words, and how it was read."""

    variable: ServerVariable
    enum: dict[int, str]
    note: str


def _plain(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def policy_word(label: str) -> str | None:
    """The policy's word (running, stopped, faulted) for a state's name on the server, or None."""
    plain = _plain(label)
    return next((word for word, synonyms in _POLICY_WORDS.items() if plain in synonyms), None)


def _named_states(variable: ServerVariable) -> StateChoice:
    enum = {code: policy_word(label) or label.strip().lower() for code, label in variable.states.items()}
    unknown = [label for label in variable.states.values() if policy_word(label) is None]
    note = (f"the server's {variable.name}: "
            + ", ".join(f"{label} is {enum[code]}" for code, label in variable.states.items()))
    if unknown:
        note += (f"; {', '.join(unknown)} is none of the policy's states (running, stopped, faulted), so no "
                 f"machine_state rule applies to it")
    return StateChoice(variable, enum, note)


def _rank(variable: ServerVariable) -> tuple[bool, int]:
    return variable.writable, _RUNNING_FLAGS.index(_plain(variable.name))


def choose_state(variables: list[ServerVariable]) -> StateChoice | None:
    """The machine's state among its variables by the rule above, or None when none fits it."""
    for variable in variables:
        if _plain(variable.name) in _STATE_NAMES and variable.type in _INTEGERS and variable.states:
            return _named_states(variable)
    flags = [v for v in variables if v.type == "bool" and _plain(v.name) in _RUNNING_FLAGS]
    if not flags:
        return None
    flag = min(flags, key=_rank)
    note = f"the server's {flag.name}: true is running, false is stopped"
    if flag.writable:
        note += " (the server lets it be written: if it is a run command rather than a status, check it)"
    return StateChoice(flag, {0: "stopped", 1: "running"}, note)
