"""A report's facts in plain Danish or English: where an idea stands, what happened, the summary.

Message ids are English and marked with ``N_``; the catalogue translates them at run time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from workflow.gates import N_
from workflow.i18n import DEFAULT_LANGUAGE, LANGUAGES, translations
from workflow.notifications.compose import local_date
from workflow.reports.data import ReportChange, ReportIdea
from workflow.states import State

# The summary groups the states the way a participant asks: how many are being tried out,
# rolled out, still being considered, turned down, on hold or carried on by another idea.
SUMMARY_GROUPS: tuple[tuple[tuple[State, ...], str], ...] = (
    ((State.PILOTED,), N_("%(num)d being tried out")),
    ((State.SCALED,), N_("%(num)d rolled out")),
    ((State.PROPOSED, State.ASSESSED), N_("%(num)d under consideration")),
    ((State.REJECTED,), N_("%(num)d rejected")),
    ((State.PARKED,), N_("%(num)d on hold")),
    ((State.MERGED,), N_("%(num)d merged with other ideas")),
)

SHORT_STATES: dict[State, str] = {
    State.PROPOSED: N_("waiting to be assessed"),
    State.ASSESSED: N_("assessed"),
    State.PILOTED: N_("being tried out"),
    State.SCALED: N_("rolled out"),
    State.REJECTED: N_("will not be carried out"),
    State.PARKED: N_("on hold"),
    State.MERGED: N_("merged with another idea"),
}

CHANGES: dict[str, str] = {
    "assess": N_("The idea was assessed."),
    "start_pilot": N_("A pilot was started."),
    "scale": N_("The idea was rolled out."),
    "reject": N_("It was decided not to carry out the idea."),
    "park": N_("The idea was put on hold."),
    "reopen": N_("The idea was taken up again."),
    "merge": N_("The idea was merged with a similar idea."),
}


class Words:
    """The sentences of one language (unknown languages get Danish)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._catalogue = translations(self.language)

    def t(self, message: str, **values: object) -> str:
        """``message`` translated, with ``values`` filled in."""
        text = self._catalogue.gettext(message)
        return text % values if values else text

    def day(self, value: date) -> str:
        """12.06.2025 in Danish, 12 Jun 2025 in English."""
        return local_date(value, self.language)

    def listing(self, items: Sequence[str]) -> str:
        """Items joined: "a, b and c" in English, "a, b og c" in Danish."""
        if len(items) <= 1:
            return "".join(items)
        return self.t(N_("%(items)s and %(last)s"), items=", ".join(items[:-1]), last=items[-1])

    def summary(self, counts: Mapping[State, int], total: int) -> str:
        """E.g. "Af de 21 idéer er 3 i pilot, 1 udbredt, 12 under vurdering og 5 afvist."."""
        if total == 0:
            return self.t(N_("The meeting has no ideas yet."))
        parts = [
            self.t(message, num=number)
            for states, message in SUMMARY_GROUPS
            if (number := sum(counts.get(state, 0) for state in states))
        ]
        if total == 1:
            return self.t(N_("Of %(num)d idea: %(parts)s."), num=total, parts=self.listing(parts))
        return self.t(N_("The %(num)d ideas: %(parts)s."), num=total, parts=self.listing(parts))

    def short_state(self, state: State) -> str:
        """A few words for a state, e.g. "being tried out"."""
        return self.t(SHORT_STATES[state]) if state in SHORT_STATES else state

    def change(self, change: ReportChange) -> str:
        """One step an idea took, as a sentence."""
        message = CHANGES.get(change.trigger)
        return self.t(message) if message else self.short_state(change.to_state)

    def state(self, idea: ReportIdea, today: date) -> str:
        """Where the idea stands, as a sentence, e.g. "Afprøves nu i Langå fra … til …"."""
        method = getattr(self, f"_state_{idea.state}", None)
        return str(method(idea, today)) if method else self.short_state(idea.state)

    def _state_proposed(self, idea: ReportIdea, today: date) -> str:
        if idea.last_trigger == "reopen":
            return self.t(N_("Taken up again and waiting to be assessed."))
        return self.t(N_("Waiting to be assessed."))

    def _state_assessed(self, idea: ReportIdea, today: date) -> str:
        return self.t(N_("Assessed; whether to try it out has not been decided yet."))

    def _state_piloted(self, idea: ReportIdea, today: date) -> str:
        pilot = idea.pilot
        if pilot is None:
            return self.t(N_("Being tried out now."))
        dates = {"start": self.day(pilot.starts_on), "end": self.day(pilot.ends_on)}
        if today < pilot.starts_on:
            if pilot.site:
                return self.t(
                    N_("Will be tried out in %(site)s from %(start)s to %(end)s."),
                    site=pilot.site,
                    **dates,
                )
            return self.t(N_("Will be tried out from %(start)s to %(end)s."), **dates)
        if today > pilot.ends_on:
            if pilot.site:
                return self.t(
                    N_(
                        "Was tried out in %(site)s from %(start)s to %(end)s; the "
                        "results are being evaluated."
                    ),
                    site=pilot.site,
                    **dates,
                )
            return self.t(
                N_("Was tried out from %(start)s to %(end)s; the results are being evaluated."),
                **dates,
            )
        if pilot.site:
            return self.t(
                N_("Being tried out now in %(site)s, from %(start)s to %(end)s."),
                site=pilot.site,
                **dates,
            )
        return self.t(N_("Being tried out now, from %(start)s to %(end)s."), **dates)

    def _state_scaled(self, idea: ReportIdea, today: date) -> str:
        evaluation = idea.evaluation
        places = self.listing(list(evaluation.scale_to)) if evaluation else ""
        if evaluation is None or not places:
            return self.t(N_("Tried out and rolled out."))
        if evaluation.outcome == "partial":
            return self.t(
                N_("Tried out with partial success and rolled out to %(places)s."), places=places
            )
        return self.t(N_("Tried out with success and rolled out to %(places)s."), places=places)

    def _state_rejected(self, idea: ReportIdea, today: date) -> str:
        if idea.previous_state == State.PILOTED:
            return self.t(N_("Tried out, but will not be continued."))
        if idea.previous_state == State.ASSESSED:
            return self.t(N_("Assessed, but will not be carried out."))
        return self.t(N_("Will not be carried out."))

    def _state_parked(self, idea: ReportIdea, today: date) -> str:
        if idea.revisit_on:
            return self.t(
                N_("On hold; it will be taken up again on %(date)s."),
                date=self.day(idea.revisit_on),
            )
        return self.t(N_("On hold."))

    def _state_merged(self, idea: ReportIdea, today: date) -> str:
        if idea.merged_into_title:
            return self.t(
                N_("Merged with the similar idea “%(title)s”, which carries it on."),
                title=idea.merged_into_title,
            )
        return self.t(N_("Merged with a similar idea, which carries it on."))


def summary_line(counts: Mapping[State, int], total: int, language: str) -> str:
    """The report's one-line summary of the meeting's ideas by state, in ``language``."""
    return Words(language).summary(counts, total)
