"""Participants taken from minutes are recorded on the legal basis the municipality chose, and
never as having consented: minutes do not show consent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from tests.importer import documents
from workflow import tuning
from workflow.models import Contact, MeetingParticipant
from workflow.notifications.recipients import stakeholders_of
from workflow.permissions import Actor
from workflow.services import imports
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture
def basis(request: pytest.FixtureRequest) -> Iterator[str]:
    """Import under the legal basis the test is parametrised with."""
    before = tuning.current()
    tuning.configure(replace(before, participant_legal_basis=request.param))
    yield request.param
    tuning.configure(before)


def opt_ins(uow: UowFactory) -> list[tuple[str | None, str | None, str | None, bool]]:
    with uow() as unit:
        link = MeetingParticipant
        columns = (Contact.email, link.legal_basis, link.consent_source,
                   link.consent_at.is_not(None))  # fmt: skip
        rows = unit.session.execute(
            select(*columns)
            .join(Contact, Contact.id == MeetingParticipant.contact_id)
            .order_by(MeetingParticipant.position)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.mark.parametrize("basis", ["public_task", "consent"], indirect=True)
def test_participants_from_minutes_are_recorded_on_the_chosen_basis(
    uow: UowFactory, make_user: Callable[..., Actor], basis: str
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        result = imports.import_minutes(unit, manager, "trafik.docx", documents.as_docx())
    title = result.meeting["title"]
    recorded = opt_ins(uow)
    assert [email for email, *_ in recorded] == [email for *_, email in documents.PARTICIPANTS]
    for email, legal_basis, source, opted_in in recorded:
        if basis == "public_task" and email:
            assert (legal_basis, source, opted_in) == (
                "public_task", f"listed in the minutes of “{title}”", True
            )  # fmt: skip
        else:  # no address, or consent the minutes cannot show: nobody to tell yet
            assert (legal_basis, source, opted_in) == (None, None, False)
    with uow() as unit:
        idea = unit.ideas.get(result.ideas[0].id or 0)
        assert idea is not None
        told = {contact.email for contact in stakeholders_of(unit, idea)}
    expected = {email for *_, email in documents.PARTICIPANTS if email}
    assert told == (expected if basis == "public_task" else set())
