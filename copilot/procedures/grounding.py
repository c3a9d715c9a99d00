"""Checks by code on the things the model filled in, against the request and the plant.

A slot that names a plant thing is an enum of what the plant has, so the model can
only fill something that exists, even when the request names something else or
nothing clearly. Before a procedure runs:

- a request that names an id-shaped word the plant file does not know ("status of
  P-999", "switch to HX-200-RED"), while a slot holds a thing the request does not
  name, is told so, with the names the plant has;
- an order or variant id that the request does not contain is dropped (operators
  type those ids or say "the running order", "in red"; an id they did not type is
  a guess), so the procedure finds it from the line, product or colour or asks;
  a variant dropped whose colour the request says is kept as its colour and
  options, where the model filled neither ("the blue UV job"); a line or product
  the request (or the conversation) does not name is dropped too;
- a machine the request does not name, where the request names exactly one other
  (by id as people type it, or in words: "hp102", "the moulder", "the L2 oven";
  copilot/understanding/machines.py), is that one; where a machine is optional and
  neither the request nor the conversation names one, the model's is dropped;
- a part the request does not name, where the request's words fit several parts'
  names ("some seals"), is asked back with those parts; where they fit one part's
  name ("the gearbox"), or one in the bill of materials of the machine the request
  names ("the bearings for the pump"), it is that part; "a full set" of it is as many
  as that machine's bill of materials holds (copilot/understanding/sets.py);
- a setpoint the request does not name, where the request names a measured value
  of the machine ("write 2.0 into the vibration tag"), is told: that is not a
  setpoint, and which setpoints the machine has;
- a number (a quantity, a setpoint's value, step or percentage) that the request
  does not contain, in digits, words or idioms of its language ("a dozen"; see
  copilot/understanding/numbers.py), is dropped: the procedure then decides it
  (the reorder quantity) or asks for it, instead of running on a number the model
  made up ("get some bearings in" is not "order 6"); an order's count the model left empty is the one
  amount the request says in the unit the plant counts in ("down to 7.2 tonnes": 7200 kg;
  copilot/procedures/counts.py);
- a setpoint change is what the request's own phrasing says (to, by, a percentage,
  in the tag's unit when converted exactly), and a value in a unit that does not
  convert exactly to the tag's is asked back (copilot/understanding/changes.py);
  where the request places no number for a change, a step written as a percentage
  ("ten percent slower", "um 10 %") is a percentage, whichever field the model
  put it in.

A request in another language is read with its English restatement (the one the
model chose from), so parts are matched by their English names too.
"""

from __future__ import annotations

import re
from typing import Any

from connectors.plant import Machine, Plant, Tag, drives
from copilot.procedures.asked import operators_words
from copilot.procedures.counts import total_or_more, unfilled_count
from copilot.procedures.features import fitted_product, names_product, options_said, taken_off, unfilled_day
from copilot.procedures.orders_named import order_meant
from copilot.procedures.parts_named import grounded_part, part_named
from copilot.procedures.register import resolution
from copilot.procedures.spec import Procedure, SlotKind
from copilot.procedures.tags_named import grounded_tag, setpoint_meant
from copilot.understanding.changes import read_changes
from copilot.understanding.choices import preference_in
from copilot.understanding.machines import lines_named, machines_named
from copilot.understanding.number_words import ARTICLES, DECIMAL_COMMA, LANGUAGES
from copilot.understanding.numbers import numbers
from copilot.understanding.phrasing import Absolute, Percent, Phrase, Relative, Unclear, phrases
from copilot.understanding.purchases import buying_said
from copilot.understanding.sets import set_count
from copilot.understanding.units import Converted, convert

ID_WORD = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b")
"""An id-shaped word as plant ids are written: capitals and digits joined by dashes (P-101, HX-200-BLU)."""


def _id_words(text: str) -> list[str]:
    """The id-shaped words of a text that carry a digit (so TAMPER-EVIDENT or RE-CHECKED are words)."""
    return [w for w in dict.fromkeys(ID_WORD.findall(text)) if any(c.isdigit() for c in w)]


_LABELS = {SlotKind.machine: "machines", SlotKind.part: "parts", SlotKind.variant: "variants",
           SlotKind.production_order: "production orders", SlotKind.supplier: "suppliers"}


def _names(plant: Plant) -> dict[SlotKind, list[str]]:
    return {
        SlotKind.machine: list(plant.machines),
        SlotKind.part: [p.id for p in plant.parts],
        SlotKind.variant: [v.id for p in plant.products for v in p.variants],
        SlotKind.production_order: [o.id for o in plant.production_orders],
        SlotKind.supplier: [s.id for s in plant.suppliers],
    }


def _known(plant: Plant) -> set[str]:
    """Every id-shaped name of the plant file: its things and material lots, and its products' and machines' model
    names."""
    words = {name for names in _names(plant).values() for name in names} | {p.id for p in plant.products}
    words |= {lot.id.upper() for lot in plant.material_lots}
    for machine in plant.machines.values():
        words |= set(ID_WORD.findall(machine.model.upper()))
    return words


def unknown_name(request: str, procedure: Procedure, slots: dict[str, Any], plant: Plant) -> str | None:
    """Why the procedure cannot run on what the model filled, when the request names what the plant lacks."""
    text = request.upper()
    strangers = [w for w in _id_words(request) if w not in _known(plant)]
    if not strangers:
        return None
    names = _names(plant)
    for name, slot in procedure.slots.items():
        value = slots.get(name)
        if slot.kind in names and isinstance(value, str) and value.upper() not in text:
            return (f"the plant has no {strangers[0]}; its {_LABELS[slot.kind]} are "
                    f"{', '.join(names[slot.kind])}")
    return None


_TYPED = (SlotKind.production_order, SlotKind.variant)


def _unfilled_place(procedure: Procedure, slots: dict[str, Any], named: list[str], plant: Plant) -> None:
    """A machine slot the model left empty is the one machine the request names (``named``), where it names one;
    the line slot of a procedure that takes no machine, that machine's line ("the navy on the jet" is the dyeing
    line's navy order)."""
    if len(named) != 1:
        return
    line = None if procedure.slot_of(SlotKind.machine) else procedure.slot_of(SlotKind.line)
    for name, slot in procedure.slots.items():
        if slots.get(name) is None and (slot.kind is SlotKind.machine or name == line):
            slots[name] = named[0] if slot.kind is SlotKind.machine else plant.machines[named[0]].line_id


def _grounded_machine(slots: dict[str, Any], name: str, required: bool, named: list[str], said: str,
                      plant: Plant, *, of_line: bool) -> None:
    """The machine the request names (``named``, best first: an id it types alone) where the model filled one it
    does not name; an optional machine that neither the request nor the conversation (``said``) names is dropped
    ("open jobs on line 1" is of the line, not of a machine the model picked), and so is a required one where the
    request names a line and no machine (``of_line``: which of the line's machines is asked, not guessed)."""
    value = slots[name]
    if len(named) == 1 and value not in named:
        slots[name] = named[0]
    elif (not required or (of_line and not named)) and value not in named \
            and value not in machines_named(said, plant):
        del slots[name]


def _set_of(procedure: Procedure, slots: dict[str, Any], texts: list[str], lang: str, machines: list[Machine]) -> None:
    """A count the request does not give in a number (the one of "a full set" is an article), where it asks for a
    set of a part of the one machine it names: as many as that machine's bill of materials holds ("a full set of
    bearings for the outfeed belt")."""
    part, count = procedure.slot_of(SlotKind.part), procedure.slot_of(SlotKind.integer)
    if part and count and slots.get(part) and slots.get(count) not in _numbers_said(texts, lang) \
            and len(machines) == 1:
        if (found := set_count(texts, lang, machines[0], slots[part])) is not None:
            slots[count] = found


def _numbers_said(texts: list[str], lang: str) -> set[float]:
    """The sizes of the numbers a request says (``texts[0]`` in ``lang``, then its English restatement)."""
    return {abs(n.value) for i, text in enumerate(texts) for n in numbers(text, lang if i == 0 else "en")}


def _said(value: Any, said: set[float], *, count: bool = True) -> bool:
    """Whether the request has this number; a count of 0 always ("no defects" is said in words no parser
    lists), while 0 as an amount (0 minutes, 0 more) is no number anyone asks for."""
    return not isinstance(value, int | float) or isinstance(value, bool) or (count and value == 0) or abs(value) in said


def _article_said(texts: list[str], lang: str) -> bool:
    """Whether the request (in ``lang``, then its English restatement) says an indefinite article ("a", "eine")."""
    return any(re.search(rf"(?<!\w)(?:{'|'.join(ARTICLES.get(language, ()))})(?!\w)", text, re.IGNORECASE)
               for text, language in zip(texts, [lang, "en", "en"]) if ARTICLES.get(language))


def _readings(texts: list[str], lang: str) -> tuple[set[float], set[float], list[Phrase]]:
    """The sizes of the numbers the request says (in its language, then in its English restatement), of its
    percentages, and what each number says of a change, read from the first text that has any: the
    request as the operator wrote it before the restatement (unless it is in a language they do not read)."""
    # the 101 of P-101 is no quantity; a language the parsers do not read comes after its restatement
    written = [(ID_WORD.sub(lambda m: " " * len(m.group()), t), lang if i == 0 else "en") for i, t in enumerate(texts)]
    written = written if lang in LANGUAGES else written[::-1]
    read = [phrases(text, language) for text, language in written]
    percent = {abs(p.pct) for said in read for p in said if isinstance(p, Percent)}
    # digits are also read the other way (1.000 is a thousand in German, one in English), so a number is not
    # dropped because a short request's language was told wrong
    other = {abs(n.value) for text, language in written
             for n in numbers(text, "en" if language in DECIMAL_COMMA else "de")}
    said = {abs(n.value) for text, language in written for n in numbers(text, language)} | percent | other
    return said, percent, next((r for r in read if r), [])


def _grounded_numbers(procedure: Procedure, slots: dict[str, Any], texts: list[str], lang: str,
                      plant: Plant) -> tuple[dict[str, Any], str | None]:
    """The slots without the numbers the request does not have, with setpoint changes as the request says
    them; and the question to ask back first when a change's value does not convert to its tag's unit."""
    said, percent, read = _readings(texts, lang)
    said |= _in_plant_units(read, plant)
    kept, question = dict(slots), None
    machine = next((plant.machines.get(slots.get(n)) for n, s in procedure.slots.items()
                    if s.kind is SlotKind.machine and isinstance(slots.get(n), str)), None)
    one = {1.0} if _article_said(texts, lang) else set()  # "order a new seal": a count of one
    for name, slot in procedure.slots.items():
        value = kept.get(name)
        counted = slot.kind in (SlotKind.integer, SlotKind.total)
        if slot.kind in _NUMBERS and not _said(value, said | one if counted else said, count=counted):
            del kept[name]
        elif slot.kind is SlotKind.setpoint_changes and isinstance(value, list):
            changes = [c for c in value if isinstance(c, dict)]
            steps = {t.name: resolution(t) for t in machine.setpoints} if machine else {}
            reading = read_changes(changes, machine, read, steps)
            question = question or reading.question
            grounded = [as_said if as_said is not None else _grounded_change(change, said, percent)
                        for change, as_said in zip(changes, reading.changes + [None] * len(changes))]
            valued = [c for c in grounded if any(c.get(f) is not None for f in ("to", "by", "percent"))]
            kept[name] = valued if valued else grounded  # a change with no value beside valued ones stands for none
    total_or_more(procedure, kept, read)
    unfilled_count(procedure, kept, read, plant)
    return kept, question


_NUMBERS = (SlotKind.integer, SlotKind.number, SlotKind.total, SlotKind.more)


def _in_plant_units(read: list[Phrase], plant: Plant) -> set[float]:
    """The sizes of the request's amounts said in a unit, converted exactly to each unit the plant measures in
    ("7.2 tonnes" is 7200 where the plant counts in kg: an order of 7200 kg)."""
    units = {t.unit for m in plant.machines.values() for t in m.tags.values() if t.unit}
    amounts = [(p.delta if isinstance(p, Relative) else p.value, p.unit.symbol) for p in read
               if isinstance(p, Absolute | Relative | Unclear) and p.unit and p.unit.symbol]
    return {abs(c.value) for value, symbol in amounts for unit in units
            if isinstance(c := convert(value, symbol, unit, relative=True), Converted)}


def _grounded_change(change: dict[str, Any], said: set[float], percent: set[float]) -> dict[str, Any]:
    """One change as the request writes it: a step written as a percentage is a percentage (with the sign
    the model gave the step, "slower" is the model's to read), any other step is not."""
    change = {k: (v if _said(v, said) else None) for k, v in change.items()}
    step, share = change.get("by"), change.get("percent")
    if isinstance(step, int | float) and abs(step) in percent:
        change["percent"], change["by"] = step, None
    elif isinstance(share, int | float) and abs(share) not in percent and step is not None:
        change["percent"] = None
    return change


def checked(request: str, procedure: Procedure, slots: dict[str, Any], plant: Plant, *, lang: str = "en",
            english: str | None = None, earlier: str = "", repeated: str | None = None, before: str | None = None,
            by_model: bool = True) -> tuple[dict[str, Any], str | None, str | None]:
    """The slots to run with, and why the procedure must stop or what to ask first (or None).
    ``english``: the request restated in English, when it was written in another language; ``earlier``: what this
    conversation said before (requests and answers): an order or variant it named may be "that order" now;
    ``repeated``: the request before, when this one asks the same of something else ("the same for the moulder"):
    its numbers count as this one's; ``before``: the operator's request before this one, where a setpoint it
    meant may be "it" now ("how hot's the stenter?" then "take it down 5"); ``by_model``: the model filled the
    slots (a caller's own flags, the monitor's, are kept as set)."""
    unknown = unknown_name(request, procedure, slots, plant)
    if unknown:
        return slots, unknown, None
    texts = [request, *([english] if english else []), *([repeated] if repeated else [])]
    own = [operators_words(request), *([english] if english else [])]  # what the operator said, not the copilot
    own_text = " ".join(own)
    named = machines_named(own[0], plant, lang=lang) or machines_named(own_text, plant, lang=lang)  # the operator's
    of_line = bool(lines_named(own_text, plant))  # own words first: a restatement may mistranslate ("the conveyor")
    text = " ".join([*texts, earlier]).upper()
    kept = dict(slots)
    for name in (n for n, s in procedure.slots.items() if s.kind is SlotKind.machine and isinstance(kept.get(n), str)):
        _grounded_machine(kept, name, procedure.slots[name].required, named, " ".join([*texts, earlier]), plant,
                          of_line=of_line)  # first: the numbers are read against its setpoints
    setpoint_meant(procedure, kept, own, lang, before, plant)
    order_meant(procedure, kept, own, lang, earlier, plant)
    kept, unconverted = _grounded_numbers(procedure, kept, texts, lang, plant)
    said = {p for p in (preference_in(request, lang), english and preference_in(english)) if p}
    for name, slot in procedure.slots.items():
        if slot.kind is SlotKind.preference and len(said) == 1:  # the request's own word for the choice
            kept[name] = said.pop().value
        value = kept.get(name)
        if not isinstance(value, str) or slot.kind is SlotKind.machine:
            continue
        if slot.kind in (*_TYPED, *_SAID):
            _unsaid(kept, name, procedure, texts, earlier, plant)
        elif slot.kind is SlotKind.part and not part_named(value, text):
            of = named or [m for n, s in procedure.slots.items() if s.kind is SlotKind.machine
                           and (m := kept.get(n)) in plant.machines]  # "the bearings it needs": of its machine
            if question := grounded_part(kept, name, slot.required, texts, of, plant, earlier, lang, before):
                return kept, None, question
    if question := grounded_tag(procedure, kept, own_text, plant):
        return kept, None, question
    _unfilled_place(procedure, kept, named, plant)
    _set_of(procedure, kept, texts, lang, [plant.machines[m] for m in named])
    options_said(procedure, kept, own, lang, plant)
    fitted_product(procedure, kept, f"{own_text} {earlier}", plant)
    _bought(procedure, kept, own, lang, by_model=by_model)
    unfilled_day(procedure, kept, own)
    taken_off(procedure, kept, own, lang, plant)
    measured = _measured_instead(request, procedure, kept, plant)
    return kept, measured, None if measured else unconverted


def _bought(procedure: Procedure, slots: dict[str, Any], own: list[str], lang: str, *, by_model: bool) -> None:
    """A purchase slot the model filled holds where the request says to buy (in its words, then its restatement's),
    or where the model took it to and the request says how many ("... and 4 of the 6205 bearings": a number, not
    an article); not otherwise: "get a fitter to check the check ring" buys no check ring. A caller's own
    (``by_model`` False) stays as set."""
    name = procedure.slot_of(SlotKind.purchase)
    if name is None or not by_model:
        return
    said = _numbers_said(own, lang)
    counted = any(slots.get(n) in said for n, s in procedure.slots.items() if s.kind is SlotKind.integer)
    if buying_said(own, lang) or slots.get(name) is True and counted:
        slots[name] = True
    else:
        slots.pop(name, None)


_SAID = (SlotKind.line, SlotKind.product)


def _says_whole(kind: SlotKind, value: str, text: str, plant: Plant) -> bool:
    """Whether a text names this line (by id, number or name) or product (by id or a word of its name)."""
    if kind is SlotKind.line:
        return value in lines_named(text, plant)
    product = next((p for p in plant.products if p.id == value), None)
    return product is None or names_product(product, text, plant)


def _unsaid(slots: dict[str, Any], name: str, procedure: Procedure, texts: list[str], earlier: str,
            plant: Plant) -> None:
    """Drops an order, variant, line or product the request and the conversation do not name; a line the request's
    own words name is the line, whatever its restatement says ("de afwerklijn" restated as "the dyeing line")."""
    kind, value, said = procedure.slots[name].kind, slots[name], " ".join([*texts, earlier])
    if kind is SlotKind.line and len(own := lines_named(operators_words(texts[0]), plant)) == 1:
        slots[name] = own.pop()
    elif kind in _TYPED and value.upper() not in said.upper():
        _untyped(slots, name, procedure, " ".join(texts), plant)
    elif kind in _SAID and not _says_whole(kind, value, said, plant):
        del slots[name]


def _untyped(slots: dict[str, Any], name: str, procedure: Procedure, request: str, plant: Plant) -> None:
    """An order or variant id the request does not type is dropped; a variant becomes its colour and options, where
    the request says that colour and the model left both empty ("the blue UV job" is the order of that variant)."""
    variant = slots.pop(name)
    if procedure.slots[name].kind is not SlotKind.variant:
        return
    chosen = next((v for p in plant.products for v in p.variants if v.id == variant), None)
    colour = procedure.slot_of(SlotKind.colour)
    options = procedure.slot_of(SlotKind.options)
    if chosen is None or colour is None or slots.get(colour) or (options and slots.get(options)):
        return
    if re.search(rf"(?<![a-z]){re.escape(chosen.colour.lower())}(?![a-z])", request.lower()):
        slots[colour] = chosen.colour
        if options:
            slots[options] = list(chosen.options)


def _says(text: str, tag: Tag) -> bool:
    """Whether a text names a tag: its name, its words apart or joined ("barrel temp", "barrel_temp"), or its words
    spelled out ("barrel temperature")."""
    forms = {tag.name.lower(), tag.words.lower()}
    return any(re.search(r"(?<![a-z])" + r"[\s_-]*".join(map(re.escape, re.split(r"[\s_]+", form))) + r"(?![a-z])",
                         text.lower()) for form in forms)


def _measured_instead(request: str, procedure: Procedure, slots: dict[str, Any], plant: Plant) -> str | None:
    """A change the operator asked of a measured value: it goes to the one setpoint that drives that value ("turn
    the filler speed up" is its speed setpoint), written into ``slots``; without one, why it cannot be written."""
    machine = next((slots.get(n) for n, s in procedure.slots.items() if s.kind is SlotKind.machine), None)
    slot = procedure.slot_of(SlotKind.setpoint_changes)
    changes = slots.get(slot) if slot else None
    if machine not in plant.machines or not changes:
        return None
    setpoints = plant.machines[machine].setpoints
    said = operators_words(request)
    if any(_says(said, t) for t in setpoints if t.name in {c.get("tag") for c in changes}):
        return None
    named = [t for t in plant.machines[machine].tags.values() if not t.writable and _says(said, t)]
    if not named:
        return None
    driving = [t for t in setpoints if drives(t, named[0])]
    if {t.name for t in driving} & {c.get("tag") for c in changes}:  # the model took the setpoint that drives it
        return None
    if len(driving) == 1 and len(changes) == 1:
        slots[slot] = [{**changes[0], "tag": driving[0].name}]
        return None
    return (f"{machine} {named[0].words} is a measured value, not a setpoint: it cannot be written; "
            f"{machine}'s setpoints are {', '.join(t.words for t in setpoints)}")
