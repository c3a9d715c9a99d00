"""What a request says of a product and its features, read by code: the product it names, the options it asks
for and those it takes off (copilot/understanding/options.py), whatever the model filled; and the day it is due,
where the model left it out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.catalogue import Product
from connectors.plant import Plant
from copilot.procedures.spec import Procedure, SlotKind
from copilot.understanding.dates import day_said
from copilot.understanding.machines import machine_words, stems
from copilot.understanding.numbers import numbers
from copilot.understanding.options import options_dropped, options_named


def _name_words(product: Product, plant: Plant) -> set[str]:
    """The words of a product's name that name no machine ("pump" of "pump housing" is the pump's)."""
    return stems(product.name) - set().union(*(machine_words(m) for m in plant.machines.values()))


def names_product(product: Product, text: str, plant: Plant, *, alone: bool = False) -> bool:
    """Whether a text names this product: by its id (or a variant's, that starts with it; TW-240F is not TW-240), or
    by a word of its name that names no machine (``alone``: and no other product: "cotton", in every product's
    name, names none of them alone)."""
    others = set().union(set(), *(stems(p.name) for p in plant.products if p is not product)) if alone else set()
    typed = re.search(rf"(?<![\w-]){re.escape(product.id)}(?!\w)", text, re.IGNORECASE)  # not TW-240 of TW-240F
    return bool(typed) or bool((_name_words(product, plant) - others) & stems(text))


def product_said(text: str, plant: Plant) -> bool:
    """Whether a text names one of the plant's products, by an id or any word of a name that names no machine."""
    return any(names_product(p, text, plant) for p in plant.products)


_NOT_A_QUANTITY = re.compile(r"\b[A-Za-z]{1,4}-?\d[\w-]*|\d{4}-\d{2}-\d{2}|\b(?:line|lines)\s*\d+", re.IGNORECASE)


@dataclass(frozen=True)
class ConfigurationSaid:
    """What a request says of a customer's configuration: whether it names one of the plant's products, gives a
    quantity (a number not part of an id, a date or a line's name) and a day it is due, whether it types a
    production order's id (an id with the prefix of the plant's orders: then it is about that order), and whether
    it describes a variant by a colour or options the plant's products come in ("the blue UV job"), and whether it
    takes options off ("drop the water repellent")."""

    product: bool
    quantity: bool
    due: bool
    order: bool
    variant: bool = False
    dropped: bool = False

    @property
    def new_order(self) -> bool:
        """A product, a quantity and a due day, and no order it changes: a customer's order to take."""
        return self.product and self.quantity and self.due and not self.order


def configuration_said(texts: list[str], lang: str, plant: Plant) -> ConfigurationSaid:
    """What a request (``texts[0]``, in ``lang``; then its English restatement) says of a configuration."""
    return ConfigurationSaid(
        product=any(product_said(text, plant) for text in texts),
        quantity=any(numbers(_NOT_A_QUANTITY.sub(" ", text), lang if i == 0 else "en") for i, text in enumerate(texts)),
        due=any(day_said(text) for text in texts), order=any(_order_id(plant).search(text) for text in texts),
        variant=any(_variant_said(text, lang if i == 0 else "en", plant) for i, text in enumerate(texts)),
        dropped=bool(_read(texts, lang, lambda text, language: options_dropped(text, plant.options, language))))


def _variant_said(text: str, lang: str, plant: Plant) -> bool:
    """Whether a text names a colour (in the plant's words) or options that the plant's products come in."""
    colours = "|".join(re.escape(c) for c in plant.colours)
    return bool(colours and re.search(rf"(?<!\w)(?:{colours})(?!\w)", text, re.IGNORECASE)) or \
        bool(options_named(text, {o: plant.option_name(o) for o in plant.options}, lang))


def _order_id(plant: Plant) -> re.Pattern:
    prefixes = {m[0] for o in plant.production_orders if (m := re.match(r"[A-Za-z]+-", o.id))} or {"PO-"}
    return re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, sorted(prefixes)))})[\w-]*\d", re.IGNORECASE)


def order_ids_typed(text: str, plant: Plant) -> list[str]:
    """The production orders' ids ``text`` types, upper case, in the order it types them."""
    return [m[0].upper() for m in _order_id(plant).finditer(text)]


def _read(texts: list[str], lang: str, reader: Callable[[str, str], list[str]]) -> list[str]:
    """What ``reader`` finds in the request (in ``lang``) and its restatement (in English), each once, in order."""
    return list(dict.fromkeys(o for i, text in enumerate(texts) for o in reader(text, lang if i == 0 else "en")))


def options_said(procedure: Procedure, slots: dict[str, Any], texts: list[str], lang: str, plant: Plant) -> None:
    """The options the request asks for, read by code (in its language, then its restatement), are the procedure's
    options where it names any; the model's stay where it names none."""
    name = procedure.slot_of(SlotKind.options)
    if name is None:
        return
    offered = {o: plant.option_name(o) for o in plant.options}
    if said := _read(texts, lang, lambda text, language: options_named(text, offered, language)):
        slots[name] = said


def fitted_product(procedure: Procedure, slots: dict[str, Any], text: str, plant: Plant) -> None:
    """A required product the model left empty, or filled with one the request does not name that comes neither in
    the colour nor with the options asked, is the one product the request names that does; where it names none,
    the one product that does."""
    name = procedure.slot_of(SlotKind.product)
    if name is None or not procedure.slots[name].required:
        return
    colour = slots.get(procedure.slot_of(SlotKind.colour) or "")
    options = set(slots.get(procedure.slot_of(SlotKind.options) or "") or [])

    def fits(product: Product) -> bool:
        return colour in (None, *product.offered_colours) and options <= set(product.offered_options)

    filled = next((p for p in plant.products if p.id == slots.get(name)), None)
    if slots.get(name) is not None and (filled is None or fits(filled) or names_product(filled, text, plant,
                                                                                         alone=True)):
        return
    named = [p for p in plant.products if names_product(p, text, plant, alone=True)] or plant.products
    if len(fitting := [p for p in named if fits(p)]) == 1:
        slots[name] = fitting[0].id


def taken_off(procedure: Procedure, slots: dict[str, Any], texts: list[str], lang: str, plant: Plant) -> None:
    """The options the request takes off, read by code, are the procedure's ``without`` and not among its options
    (whatever the model filled in either)."""
    without = procedure.slot_of(SlotKind.without)
    if without is None:
        return
    known = plant.options
    dropped = _read(texts, lang, lambda text, language: options_dropped(text, known, language))
    slots.pop(without, None)
    if dropped:
        slots[without] = dropped
    for name in (n for n, s in procedure.slots.items() if s.kind is SlotKind.options and slots.get(n)):
        slots[name] = [o for o in slots[name] if o not in dropped]


def unfilled_day(procedure: Procedure, slots: dict[str, Any], texts: list[str]) -> None:
    """A day slot the model left empty is the day the request names (in its words, then its restatement's)."""
    name = procedure.slot_of(SlotKind.day)
    if name is not None and not slots.get(name):
        if said := next((d for d in map(day_said, texts) if d), None):
            slots[name] = said
