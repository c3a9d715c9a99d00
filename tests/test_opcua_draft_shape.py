"""How `plant import` reads a server's shape (connectors/plc/opcua/draft.py, machine_state.py), on address spaces
written here as trees: machines versus parameter folders and lines, the state rule, names, what is left out."""

from __future__ import annotations

from connectors.plc.opcua.browse import ServerObject, ServerVariable
from connectors.plc.opcua.draft import SkipReason, draft_machine, is_parameter_folder, shape, snake
from connectors.plc.opcua.machine_state import choose_state, policy_word


def var(name: str, kind: str | None = "float64", **fields) -> ServerVariable:
    return ServerVariable(name=name, node_id=f'ns=3;s="DB"."{name}"', data_type=fields.pop("data_type", "Double"),
                          type=kind, **fields)


def obj(name: str, *variables: ServerVariable, children: list[ServerObject] = ()) -> ServerObject:
    return ServerObject(name, f'ns=3;s="{name}"', "", 3, list(variables), list(children))


def test_names_become_tag_names_and_data_block_folders_are_known():
    assert [snake(n) for n in ("MotorCurrent", "Speed-PV", "speed setpoint", "DB_Params", "PVTemp")] == \
        ["motor_current", "speed_pv", "speed_setpoint", "db_params", "pv_temp"]
    assert all(map(is_parameter_folder, ("DB_Params", "Parameters", "Setpoints", "Status", "DB12_Settings")))
    assert not any(map(is_parameter_folder, ("DB_Mixer", "Agitator", "Line1", "DB100")))


def test_a_machine_whose_variables_all_sit_in_parameter_folders_is_one_machine():
    mixer = obj("Mixer", children=[obj("Status", var("Running", "bool")), obj("Setpoints", var("Speed"))])
    lines = shape([obj("Area", children=[mixer])])
    assert [(line.id, [m.id for m in line.machines]) for line in lines] == [("Area", ["MIXER"])]
    machine = lines[0].machines[0]
    assert [t.name for t in machine.tags] == ["state", "speed"] and machine.doubts == []


def test_a_parameter_block_beside_the_machines_is_drafted_as_a_machine_and_said_so():
    lines = shape([obj("DataBlocksGlobal", children=[obj("DB_Mixer", var("Speed")), obj("DB_Params", var("Max"))])])
    machines = {m.id: m for m in lines[0].machines}
    assert list(machines) == ["DB_MIXER", "DB_PARAMS"]
    assert machines["DB_MIXER"].doubts == []
    assert "looks like a parameter folder, but no machine holds it" in machines["DB_PARAMS"].doubts[0]


def test_an_object_under_a_machine_is_taken_as_part_of_it_with_a_doubt_and_prefixed_names():
    machine = draft_machine(obj("Mixer", var("Speed"), children=[obj("Agitator", var("Speed"))]))
    assert [t.name for t in machine.tags] == ["speed", "agitator_speed"]
    assert machine.doubts == ["Agitator is taken as part of MIXER (its tags are named agitator_...); if it is a "
                              "machine of its own, move its tags to one"]


def test_a_name_taken_twice_gets_its_folders_name_then_is_left_out_with_the_reason():
    machine = draft_machine(obj("M", var("A_B"), children=[obj("Params", var("A_B")), obj("Setpoints", var("A_B"))]))
    assert [t.name for t in machine.tags] == ["a_b", "params_a_b", "setpoints_a_b"]
    clash = draft_machine(obj("M", var("Speed"), var("Params_Speed"), children=[obj("Params", var("Speed"))]))
    assert [t.name for t in clash.tags] == ["speed", "params_speed"]
    assert [(str(s.where), s.variable.name, s.reason) for s in clash.skipped] == \
        [("M/Params", "Speed", SkipReason.name_taken)]


def test_variables_a_plant_file_cannot_hold_and_repeated_nodes_are_listed_not_dropped():
    machine = draft_machine(obj("Oven", var("Zone"), var("LastService", None, data_type="DateTime"),
                                var("Zone", again=True),
                                var("SerialNumber", "string", is_property=True, text="SN-1"),
                                var("Manufacturer", "string", is_property=True, text="Hotco"),
                                var("NominalPower", "float64", is_property=True, unit="kW")))
    assert machine.manufacturer == "Hotco"
    assert [t.name for t in machine.tags] == ["zone", "nominal_power"]  # a property with a value is a tag
    assert [(s.variable.name, s.reason) for s in machine.skipped] == [
        ("LastService", SkipReason.data_type), ("Zone", SkipReason.again), ("SerialNumber", SkipReason.nameplate)]
    assert str(machine.skipped[0]) == 'OVEN/LastService (ns=3;s="DB"."LastService"): skipped, its data type is ' \
                                      'none a plant file holds (DateTime)'


def test_writable_needs_the_servers_eurange():
    machine = draft_machine(obj("Pump", var("FlowSp", writable=True, low=0, high=50, unit="m3/h"),
                                var("Mode", "uint16", writable=True)))
    flow, mode = machine.tags
    assert (flow.writable, flow.min, flow.max, flow.unit) == (True, 0, 50, "m3/h")
    assert (mode.writable, mode.server_writable, mode.min) == (False, True, None)


def test_the_state_is_a_named_state_variable_first_then_a_read_only_running_flag():
    status = var("Status", "uint16", states={0: "Idle", 1: "Running", 2: "Error"})
    flags = [var("Run", "bool", writable=True), var("IsRunning", "bool")]
    chosen = choose_state([*flags, status])
    assert chosen.variable is status and chosen.enum == {0: "idle", 1: "running", 2: "faulted"}
    assert "Idle is none of the policy's states" in chosen.note
    assert choose_state(flags).variable.name == "IsRunning"  # read-only before writable
    assert choose_state([flags[0]]).enum == {0: "stopped", 1: "running"}
    assert "run command" in choose_state([flags[0]]).note
    assert choose_state([var("Status", "uint16"), var("Speed")]) is None  # no names for its values, no flag
    assert [policy_word(w) for w in ("On", "STOPPED", "Tripped", "Ready")] == ["running", "stopped", "faulted", None]


def test_a_state_variable_without_named_values_is_not_passed_off_as_the_state():
    machine = draft_machine(obj("Press", var("State", "uint16"), var("Force")))
    assert [t.name for t in machine.tags] == ["state_code", "force"]
    assert "not the machine's state" in machine.tags[0].note
