"""A follow-up report as an email (subject, text and HTML) in one language."""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.notifications.compose import Rendered, render
from workflow.notifications.links import Links
from workflow.reports.data import MeetingReport, ReportIdea
from workflow.reports.recipients import MEETING_REPORTS
from workflow.reports.words import Words
from workflow.states import State


def render_report(
    report: MeetingReport,
    language: str,
    links: Links,
    *,
    report_id: int | None = None,
    recipient_name: str | None = None,
    contact_id: int | None = None,
) -> Rendered:
    """The report's email in ``language`` (Danish unless English).

    ``report_id`` (a sent report) adds the link to its public page; ``contact_id`` the
    recipient's one-click unsubscribe link for meeting reports. A preview has neither.
    """
    words = Words(language)
    return render(
        "meeting_report",
        words.language,
        **report_context(report, words),
        recipient_name=recipient_name,
        links={
            "report_url": links.report_url(report_id) if report_id is not None else None,
            "unsubscribe_url": (
                links.unsubscribe_url(contact_id, MEETING_REPORTS)
                if contact_id is not None
                else None
            ),
        },
    )


def report_context(report: MeetingReport, words: Words) -> dict[str, Any]:
    """What the templates show, every sentence already in ``words``' language."""
    today = report.today
    tagged = [theme for theme in report.themes if theme.ideas]
    return {
        "meeting": {"title": report.meeting_title, "held_on": report.held_on},
        "today": today,
        "summary": words.summary(report.counts, report.total),
        "total": report.total,
        "changed": report.changed,
        "first": report.last_report_at is None,
        "last_report_on": report.last_report_on,
        "unchanged": report.unchanged_since_last,
        "ideas": [_idea(idea, words, today) for idea in report.ideas],
        "themes": [
            {
                "name": theme.name,
                "ideas": [
                    {"title": idea.title, "state": words.short_state(idea.state)}
                    for idea in theme.ideas
                ],
            }
            for theme in tagged
        ],
        "untagged_themes": [theme.name for theme in report.themes if not theme.ideas],
    }


def _idea(idea: ReportIdea, words: Words, today: date) -> dict[str, Any]:
    piloted = idea.pilot is not None and idea.state == State.PILOTED
    return {
        "title": idea.title,
        "state": words.state(idea, today),
        "reason": idea.reason,
        "assessment_summary": idea.assessment_summary,
        "success_criteria": idea.pilot.success_criteria if idea.pilot and piloted else None,
        "evaluation": idea.evaluation.evaluation if idea.evaluation else None,
        "owner_name": idea.owner_name if idea.state != State.MERGED else None,
        "changes": [{"on": change.at, "words": words.change(change)} for change in idea.changes],
    }
