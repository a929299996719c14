"""Followers of ideas and the notification log."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from workflow.contracts.base import Count, Email, Id, Input, Moment, Output, PageNumber, PerPage
from workflow.models import NOTIFICATION_STATUSES
from workflow.services.collaboration import DELIVERIES

Delivery = Annotated[
    Literal[DELIVERIES],  # type: ignore[valid-type]
    Field(description="Each update at once, or a daily or weekly digest."),
]
Status = Literal[NOTIFICATION_STATUSES]  # type: ignore[valid-type]


class NewFollower(Input):
    """A contact (found or created by email) to follow an idea."""

    email: Annotated[Email, Field(max_length=320)]
    name: Annotated[str, Field(max_length=200)] | None = None
    organisation: Annotated[str, Field(max_length=300)] | None = None
    delivery: Delivery | None = None


class Follower(Output):
    """A contact following an idea."""

    idea_id: int
    contact_id: int
    email: Email | None
    name: str
    organisation: str | None
    delivery: Delivery
    language: Annotated[str, Field(description="da or en.")]
    source: Annotated[str, Field(description="How the contact came to follow the idea.")]
    since: Moment
    unsubscribed: Annotated[bool, Field(description="Asked for no idea updates.")]
    suppressed: Annotated[bool, Field(description="The mail server refused the address.")]


class NotificationQuery(Input):
    """The filters of the notification log."""

    idea: Annotated[Id, Field(description="Only notifications about this idea.")] = None  # type: ignore[assignment]
    status: Status = None
    page: PageNumber = None  # type: ignore[assignment]
    per_page: PerPage = None  # type: ignore[assignment]


class Notification(Output):
    """One email ideaflow sends (never its body)."""

    id: int
    kind: str
    recipient: Annotated[
        str | None,
        Field(validation_alias="recipient_email", description="Null once erased (GDPR)."),
    ]
    recipient_name: str | None
    status: Status
    attempts: Count
    last_error: str | None
    subject: str
    list: Annotated[str | None, Field(validation_alias="list_name")]
    idea_id: int | None
    created_at: Moment
    sent_at: Moment | None


class NotificationPage(Output):
    """A page of notifications."""

    items: list[Notification]
    total: Annotated[int, Field(description="Counted up to 10,000 matching notifications.")]
    total_is_lower_bound: Annotated[
        bool, Field(description="True when more than ``total`` notifications match.")
    ]
    page: int
    per_page: Annotated[int, Field(le=100)]
