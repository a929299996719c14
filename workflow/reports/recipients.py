"""Who receives a meeting's follow-up reports."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, select

from workflow.models import Contact, MeetingParticipant, Suppression, Unsubscription
from workflow.uow import UnitOfWork

MEETING_REPORTS = "meeting_reports"


def report_recipients(uow: UnitOfWork, meeting_id: int) -> Sequence[Contact]:
    """The meeting's participants with an address who agreed to hear back (consent recorded),
    were not erased, did not unsubscribe from meeting reports and whose address the mail server
    did not refuse; in the order the minutes list them."""
    unsubscribed = exists().where(
        Unsubscription.contact_id == Contact.id, Unsubscription.list_name == MEETING_REPORTS
    )
    suppressed = exists().where(Suppression.email == Contact.email)
    query = (
        select(Contact)
        .join(MeetingParticipant, MeetingParticipant.contact_id == Contact.id)
        .where(
            MeetingParticipant.meeting_id == meeting_id,
            MeetingParticipant.consent_at.is_not(None),
            Contact.email.is_not(None),
            Contact.erased_at.is_(None),
            ~unsubscribed,
            ~suppressed,
        )
        .order_by(MeetingParticipant.position, Contact.id)
    )
    return uow.session.scalars(query).all()
