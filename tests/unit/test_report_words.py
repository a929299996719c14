"""Where an idea stands, in plain Danish and English, and the report's summary line."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from workflow.reports.content import ReportChange, ReportEvaluation, ReportIdea, ReportPilot
from workflow.reports.words import Words, summary_line
from workflow.text import counted

TODAY = date(2025, 9, 12)
IDEA = ReportIdea(
    id=1, title="Natbus fra Langå", state="proposed",
    state_changed_at=datetime(2025, 6, 13, tzinfo=UTC), previous_state=None, last_trigger=None,
    owner_name=None, reason=None, assessment_summary=None, pilot=None, evaluation=None,
    revisit_on=None, merged_into_title=None, changes=(),
)  # fmt: skip
PILOT = ReportPilot(date(2025, 8, 1), date(2026, 1, 31), "Langå og Assentoft", "40 unge er med")


@pytest.mark.parametrize(
    ("idea", "danish", "english"),
    [
        (IDEA, "Venter på at blive vurderet.", "Waiting to be assessed."),
        (replace(IDEA, last_trigger="reopen"), "Er taget op igen og venter på at blive vurderet.",
         "Taken up again and waiting to be assessed."),
        (replace(IDEA, state="assessed"),
         "Er vurderet; det er endnu ikke besluttet, om idéen skal afprøves.",
         "Assessed; whether to try it out has not been decided yet."),
        (replace(IDEA, state="piloted", pilot=PILOT),
         "Afprøves nu i Langå og Assentoft fra 01.08.2025 til 31.01.2026.",
         "Being tried out now in Langå og Assentoft, from 1 Aug 2025 to 31 Jan 2026."),
        (replace(IDEA, state="piloted", pilot=replace(PILOT, starts_on=date(2025, 10, 1))),
         "Skal afprøves i Langå og Assentoft fra 01.10.2025 til 31.01.2026.",
         "Will be tried out in Langå og Assentoft from 1 Oct 2025 to 31 Jan 2026."),
        (replace(IDEA, state="piloted", pilot=replace(PILOT, site=None, ends_on=date(2025, 9, 1))),
         "Er afprøvet fra 01.08.2025 til 01.09.2025; resultatet bliver nu vurderet.",
         "Was tried out from 1 Aug 2025 to 1 Sep 2025; the results are being evaluated."),
        (replace(IDEA, state="scaled",
                 evaluation=ReportEvaluation("partial", "Godt", ("Langå", "Spentrup"))),
         "Er afprøvet med delvis succes og udbredt til Langå og Spentrup.",
         "Tried out with partial success and rolled out to Langå and Spentrup."),
        (replace(IDEA, state="rejected", previous_state="proposed"), "Bliver ikke gennemført.",
         "Will not be carried out."),
        (replace(IDEA, state="rejected", previous_state="assessed"),
         "Er vurderet, men bliver ikke gennemført.", "Assessed, but will not be carried out."),
        (replace(IDEA, state="rejected", previous_state="piloted"),
         "Er afprøvet, men bliver ikke videreført.", "Tried out, but will not be continued."),
        (replace(IDEA, state="parked", revisit_on=date(2026, 1, 15)),
         "Er sat på pause og bliver taget op igen den 15.01.2026.",
         "On hold; it will be taken up again on 15 Jan 2026."),
        (replace(IDEA, state="merged", merged_into_title="Natbusser"),
         "Er lagt sammen med den lignende idé “Natbusser”, som fører den videre.",
         "Merged with the similar idea “Natbusser”, which carries it on."),
    ],
)  # fmt: skip
def test_every_state_reads_as_a_plain_sentence(idea: ReportIdea, danish: str, english: str) -> None:
    assert Words("da").state(idea, TODAY) == danish
    assert Words("en").state(idea, TODAY) == english
    assert Words("xx").state(idea, TODAY) == danish  # unknown languages get Danish


def test_the_summary_counts_what_participants_ask_about() -> None:
    counts = {"proposed": 10, "assessed": 2, "piloted": 3, "scaled": 1, "rejected": 5}
    assert summary_line(counts, 21, "da") == (
        "Af de 21 idéer er 3 under afprøvning, 1 udbredt, 12 under vurdering og 5 afvist."
    )
    assert summary_line(counts, 21, "en") == (
        "The 21 ideas: 3 being tried out, 1 rolled out, 12 under consideration and 5 rejected."
    )
    assert summary_line({"parked": 1}, 1, "da") == "Af 1 idé er 1 sat på pause."
    assert summary_line({"merged": 2}, 2, "da") == "Af de 2 idéer er 2 lagt sammen med andre idéer."
    assert summary_line({}, 0, "da") == "Mødet har endnu ingen idéer."


def test_each_step_is_told_in_the_past_tense() -> None:
    at = datetime(2025, 7, 1, tzinfo=UTC)
    words = Words("da")
    told = {
        trigger: words.change(ReportChange(at, trigger, "proposed", "assessed"))
        for trigger in ("assess", "start_pilot", "scale", "reject", "park", "reopen", "merge")
    }
    assert told == {
        "assess": "Idéen blev vurderet.",
        "start_pilot": "Afprøvningen blev sat i gang.",
        "scale": "Idéen blev udbredt.",
        "reject": "Det blev besluttet ikke at gennemføre idéen.",
        "park": "Idéen blev sat på pause.",
        "reopen": "Idéen blev taget op igen.",
        "merge": "Idéen blev lagt sammen med en lignende idé.",
    }


@pytest.mark.parametrize(
    ("number", "expected"), [(0, "0 ideas"), (1, "1 idea"), (2, "2 ideas"), (21, "21 ideas")]
)
def test_a_count_takes_its_noun_in_the_right_number(number: int, expected: str) -> None:
    assert counted(number, "idea") == expected
