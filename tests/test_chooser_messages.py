"""What the chooser reads of a conversation (copilot/procedures/chooser.py)."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage

from copilot.procedures.chooser import chooser_messages, request_language


def test_a_brief_request_reads_its_numbers_in_digits_after_the_request_before_it() -> None:
    conversation = [HumanMessage("Wie viele 6205er Lager ham wir noch?"), AIMessage("BRG-6205: 6 auf Lager."),
                    HumanMessage("ok dann bestell ein Dutzend, bei dem der am schnellsten liefert")]
    [read] = chooser_messages([], conversation, None, brief=True)
    assert read.content == ("(earlier: Wie viele 6205er Lager ham wir noch?)\n"
                            "ok dann bestell 12, bei dem der am schnellsten liefert")


def test_ids_and_articles_stay_as_written() -> None:
    [read] = chooser_messages([], [HumanMessage("get a couple of seal kits for P-101, a fitter is waiting")], None,
                              brief=True)
    assert read.content == "get 2 seal kits for P-101, a fitter is waiting"


def test_a_request_that_does_not_tell_its_language_is_in_the_conversation_s() -> None:
    portuguese = [HumanMessage("Que encomenda está a correr na linha de acabamento?"), AIMessage("PO-F1-0207 …"),
                  HumanMessage("Aumenta-a para 32 mil metros")]
    assert request_language(portuguese) == "pt"
    turkish = [HumanMessage("Jet boya makinesinde şu an hangi sipariş var?"), AIMessage("PO-D1-0311 …"),
               HumanMessage("onu 7500 kiloya dusur")]
    assert request_language(turkish) == "tr"
    assert request_language([HumanMessage("onu 7500 kiloya dusur")]) == "en"  # nothing earlier: English
    assert request_language([*portuguese, AIMessage("…"), HumanMessage("what about the oven?")]) == "en"
