"""How a request names a production order by its place in the line's sequence (copilot/understanding/orders.py)."""

from __future__ import annotations

import pytest

from copilot.understanding.orders import OrderPlace, order_place_in


@pytest.mark.parametrize(("text", "place"), [
    ("the order running on line 1", OrderPlace.running),
    ("what's lined up on line 1 after the grey housings?", OrderPlace.next),
    ("the red run queued after the current one", OrderPlace.next),  # the next one's words come first
    ("der nächste Auftrag auf Linie 2", OrderPlace.next),
    ("Jet boya makinesinde şu an hangi sipariş var?", OrderPlace.running),
    ("l'OF en cours sur la ligne 2", OrderPlace.running),
    ("what's in the queue on L2?", OrderPlace.next),
    ("make the next 200 blue", None),  # a number after "next" names no order
    ("the blue UV job", None),
])
def test_an_order_is_named_by_its_place_in_the_ten_languages(text: str, place: OrderPlace | None) -> None:
    assert order_place_in(text) is place
