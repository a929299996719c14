"""Finding ideas: filtered, sorted pages, exports, the board's columns and an owner's own list."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.clock import local_today
from workflow.errors import ValidationFailed
from workflow.gates import MAX_ID, N_
from workflow.paging import Page, parse_whole, whole_number
from workflow.permissions import Actor
from workflow.repositories import IDEA_ORDERS, IdeaFilter
from workflow.states import STATES, State
from workflow.uow import UnitOfWork
from workflow.views import IdeaView, idea_view

PER_PAGE_MAX = 100
MEETING_TITLE_MAX = 300  # as long as a meeting's title can be
BOARD_CARDS = 8
PAGED_IDEAS = 10_000
"""How deep the idea list pages (``max_offset``): further pages cost a walk over every idea
before them; the filters, the sort orders and the export reach the rest."""


IdeaPage = Page[IdeaView]


@dataclass(frozen=True)
class BoardColumn:
    """One state on the board: how many ideas are in it and the first cards to show."""

    state: str
    count: int
    cards: list[IdeaView]


def list_ideas(
    uow: UnitOfWork,
    actor: Actor,
    params: Mapping[str, Any],
    page: Any = 1,
    per_page: Any = 20,
    now: datetime | None = None,
    max_offset: int | None = None,
) -> IdeaPage:
    """A page of ideas narrowed by the filters in ``params`` (see ``idea_filter``); a page
    starting after ``max_offset`` ideas is refused when it is given."""
    errors: dict[str, str] = {}
    page_no = whole_number(page, "page", errors)
    size = whole_number(per_page, "per_page", errors)
    if size is not None and size > PER_PAGE_MAX:
        errors["per_page"] = N_("Must be at most 100.")
    elif page_no and size and max_offset is not None and (page_no - 1) * size > max_offset:
        errors["depth"] = N_(
            "Only the first 10,000 ideas are paged through: narrow the filters or change the order."
        )
    where, order = _filter_and_order(actor, params, errors, now)
    if errors or page_no is None or size is None:
        raise ValidationFailed(errors)
    rows, total = uow.ideas.page(where, offset=(page_no - 1) * size, limit=size, order=order)
    return IdeaPage(
        rows,
        total.number,
        page_no,
        size,
        total_is_lower_bound=total.more,
    )


def export_ideas(
    uow: UnitOfWork, actor: Actor, params: Mapping[str, Any], now: datetime | None = None
) -> Iterator[IdeaView]:
    """Every idea matching the filters, for an export; streamed, not held in memory."""
    errors: dict[str, str] = {}
    where, order = _filter_and_order(actor, params, errors, now)
    if errors:
        raise ValidationFailed(errors)
    for idea in uow.ideas.each(where, order):
        yield idea_view(idea)


def board(uow: UnitOfWork, actor: Actor, cards: int = BOARD_CARDS) -> list[BoardColumn]:
    """Every state with its count and its first cards: one query for the counts, one for the
    cards of every column, and one per relation the cards show."""
    counts = uow.ideas.count_by_state()
    found = uow.ideas.board_cards([state for state in STATES if counts.get(state)], cards)
    return [BoardColumn(state, counts.get(state, 0), found.get(state, [])) for state in STATES]


def _filter_and_order(
    actor: Actor, params: Mapping[str, Any], errors: dict[str, str], now: datetime | None
) -> tuple[IdeaFilter, str]:
    """Read list filters: state, owner (email, ``none`` or ``me``), q, theme, meeting (an id),
    meeting_title (part of a meeting's title), overdue and sort (one of IDEA_ORDERS)."""
    asked = params.get("state")  # "" is no state either (pages leave out empty filters)
    state = State(asked) if asked in STATES else None
    if asked is not None and state is None:
        errors["state"] = N_("Unknown state.")
    order = params.get("sort") or "newest"
    if order not in IDEA_ORDERS:
        errors["sort"] = N_("Unknown sort order.")
    owner = (params.get("owner") or "").strip() or None
    theme_id = _optional_id(params.get("theme"), "theme", errors)
    meeting_id = _optional_id(params.get("meeting"), "meeting", errors)
    meeting_title = str(params.get("meeting_title") or "").strip() or None
    if meeting_title is not None and len(meeting_title) > MEETING_TITLE_MAX:
        errors["meeting_title"] = N_("Must be at most 300 characters.")
        meeting_title = None
    overdue = str(params.get("overdue") or "").lower() in {"1", "true", "yes", "on"}
    where = IdeaFilter(
        state=state,
        owner_email=owner if owner not in (None, "none", "me") else None,
        owner_id=actor.id if owner == "me" else None,
        unowned=owner == "none",
        text=(params.get("q") or "").strip() or None,
        theme_id=theme_id,
        meeting_id=meeting_id,
        meeting_title=meeting_title,
        overdue_on=local_today(now) if overdue else None,
    )
    return where, order


def _optional_id(raw: Any, name: str, errors: dict[str, str]) -> int | None:
    if raw in (None, ""):
        return None
    value = parse_whole(raw)
    if value is None or not 1 <= value <= MAX_ID:
        errors[name] = N_("Must be the id of an item in the list.")
        return None
    return value
