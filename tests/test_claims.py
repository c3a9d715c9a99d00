"""Words that claim a change, told by code in the languages the copilot answers in."""

from __future__ import annotations

import pytest

from copilot.agent.claims import claims_a_change


@pytest.mark.parametrize("text", [
    "The order has been accepted: 500 blue HX-200.",
    "Your purchase order has been successfully placed with SUP-ECO.",
    "I've created the production order for Friday.",
    "The operator has accepted the order: 500 blue HX-200.",
    "Der Auftrag wurde angenommen und eingeplant.",
    "La commande a été passée pour le 21 décembre.",
    "El pedido ha sido aceptado.",
    "Ho creato l'ordine di produzione.",
])
def test_a_claimed_change_is_told(text: str) -> None:
    assert claims_a_change(text)


@pytest.mark.parametrize("text", [
    "I have not changed anything; the order needs a supervisor's sign-off.",
    "Non ho apportato alcuna modifica.",
    "Which product does the customer want?",
    "The due date 2026-12-18 holds for 400 HX-200 green.",
    "I can place the order once you tell me the quantity.",
])
def test_words_that_claim_nothing_are_not(text: str) -> None:
    assert not claims_a_change(text)
