"""How steps look in the chat (ui/steps.py), drawn by AppTest from hand-made steps."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def streamed_answer() -> None:
    from copilot import Answer, Token
    from ui.steps import show_steps

    show_steps([Token(text="The pump "), Token(text="is fine."),
                Answer(text="The pump is fine.")])


def restated_then_answered() -> None:
    from copilot import Answer, Calling, Choice, Restating
    from ui.steps import show_steps

    show_steps([Restating(text="How many "), Restating(text="bearings BRG-6205?"),
                Calling(tool="inventory_check"),
                Choice(tool="inventory_check", arguments={"part": "BRG-6205"}, action_id="c1"),
                Answer(text="BRG-6205: 6 Stück auf Lager.")])


def refused_and_cited() -> None:
    from pathlib import Path

    import streamlit as st

    import ui.steps
    from copilot import Answer, Deny, Proposal, Result, Status

    passage = {"citation": "Aquaflow CP-80 Operating Manual, §5.2 Vibration, p. 5", "chunk_id": "cp80#5.2@p5.1",
               "text": "<manual_passage>…</manual_passage>"}

    def draw() -> None:
        ui.steps.show_steps([
            Proposal(tool="write_setpoint", action_id="a1",
                 arguments={"machine_id": "P-101", "tag": "speed_setpoint", "value": 3500}),
            Result(tool="write_setpoint", action_id="a1", status=Status.denied,
                 decision=Deny(reasons=["3500 is above the limit 3000"], rule="limits"),
                 text="write_setpoint: denied\nrefused by policy: 3500 is above the limit 3000"),
            Proposal(tool="search_manuals", action_id="a2", arguments={"query": "vibration"}),
            Result(tool="search_manuals", action_id="a2", status=Status.done, text="",
                 result={"passages": [passage, {**passage, "chunk_id": "cp80#5.2@p5.2"}]}),
            Answer(text="Refused; see the manual."),
        ])

    # links need the passage page registered, as the app's navigation does
    page = st.Page(str(Path(ui.steps.__file__).parent / "pages" / "passage.py"), url_path="passage")
    ui.steps.PASSAGE_PAGE, saved = page, ui.steps.PASSAGE_PAGE
    try:
        st.navigation([st.Page(draw, url_path="steps", default=True), page]).run()
    finally:
        ui.steps.PASSAGE_PAGE = saved


def test_a_streamed_answer_is_shown_once_without_the_cursor():
    at = AppTest.from_function(streamed_answer).run()
    assert [m.value for m in at.markdown] == ["The pump is fine."]


def test_the_request_understood_and_the_call_being_written_are_captions_and_the_answer_stays_the_answer():
    at = AppTest.from_function(restated_then_answered).run()
    assert [c.value for c in at.caption] == ["understood as: How many bearings BRG-6205?",
                                             "inventory check: part BRG-6205"]  # "inventory check …" gave way to it
    assert [m.value for m in at.markdown] == ["BRG-6205: 6 Stück auf Lager."]


def test_a_refused_step_says_why_and_citations_link_to_their_passage_once_under_sources():
    at = AppTest.from_function(refused_and_cited).run()
    assert not at.exception
    assert [s.label for s in at.status] == [":material/block: write_setpoint — denied",
                                           ":material/check_circle: search_manuals — done"]
    assert [s.state for s in at.status] == ["error", "complete"]
    assert "Policy: deny: 3500 is above the limit 3000 — rule: limits" in [c.value for c in at.caption]
    assert "refused by policy: 3500 is above the limit 3000" in [m.value for m in at.markdown]
    links = [(link.proto.label, link.proto.query_string) for link in at.get("page_link")]
    assert links == [  # both passages in the step, one link per citation under the answer
        ("Aquaflow CP-80 Operating Manual, §5.2 Vibration, p. 5", "id=cp80%235.2%40p5.1"),
        ("Aquaflow CP-80 Operating Manual, §5.2 Vibration, p. 5", "id=cp80%235.2%40p5.2"),
        ("Aquaflow CP-80 Operating Manual, §5.2 Vibration, p. 5", "id=cp80%235.2%40p5.1"),
    ]
