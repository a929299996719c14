"""Counts that do not grow with the data, and the notification log's order from an index.

- ``idea_counts (key, total)`` and ``idea_count_deltas (id, key, delta)``: the ideas in each
  state (key ``state:<state>``) kept as they change. Triggers on ``ideas`` append -1 for the old
  state and +1 for the new on every insert, change of state and delete, in the writer's
  transaction; the beat's sweep adds the changes to the totals. The totals start from the ideas
  there are (the backfill below).
- In the same tables, the finished stays in each state by their length in whole days (key
  ``stay:<state>:<days>``, rounded): a change of state adds one stay, from the idea's previous
  ``state_changed_at`` to the new one. The dashboard's time in stage reads this histogram and the
  ongoing stays, instead of every step of every idea's history; the backfill measures the
  history as the dashboard did. The ongoing stays are counted the same way, by state and the
  (UTC) day the idea entered it (key ``since:<state>:<YYYY-MM-DD>``).
- The ideas each theme tags (key ``theme:<id>``), kept by triggers on ``idea_themes``: the
  dashboard's top themes and their number without counting every link.
- The ideas that ever reached each state (key ``reached:<state>``), kept by triggers on
  ``idea_history``: a step counts when it is the idea's first arrival there (found on
  ``ix_idea_history_to_state_idea``); the funnel reads it instead of every step.
- ``notifications (created_at, id)``: the log, newest first, read in index order; with the
  total counted up to 10,000 (``workflow.paging.bounded_count``) a page no longer reads every
  notification;
- ``notifications (kind, created_at, id)``: the same with the kind filter (the status filter has
  ``ix_notifications_status_created``, the idea filter the idea's index).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND = "INSERT INTO idea_count_deltas (key, delta) VALUES "
SQLITE_STAY = (
    "'stay:' || OLD.state || ':' || CAST(round(max(0.0, "
    "julianday(NEW.state_changed_at) - julianday(OLD.state_changed_at))) AS INTEGER)"
)
SQLITE_SINCE = "'since:' || {row}.state || ':' || date({row}.state_changed_at)"
SQLITE_TRIGGERS = (
    "CREATE TRIGGER ideas_count_insert AFTER INSERT ON ideas BEGIN "
    f"{APPEND}('state:' || NEW.state, 1), ({SQLITE_SINCE.format(row='NEW')}, 1); END",
    "CREATE TRIGGER ideas_count_update AFTER UPDATE OF state, state_changed_at ON ideas "
    "WHEN OLD.state <> NEW.state OR OLD.state_changed_at <> NEW.state_changed_at BEGIN "
    f"{APPEND}('state:' || OLD.state, -1), ('state:' || NEW.state, 1), ({SQLITE_STAY}, 1), "
    f"({SQLITE_SINCE.format(row='OLD')}, -1), ({SQLITE_SINCE.format(row='NEW')}, 1); END",
    "CREATE TRIGGER ideas_count_delete AFTER DELETE ON ideas BEGIN "
    f"{APPEND}('state:' || OLD.state, -1), ({SQLITE_SINCE.format(row='OLD')}, -1); END",
)
POSTGRES_SINCE = (
    "'since:' || {row}.state || ':' || to_char({row}.state_changed_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD')"
)
POSTGRES_TRIGGERS = (
    f"""CREATE FUNCTION ideas_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO idea_count_deltas (key, delta)
            VALUES ('state:' || NEW.state, 1), ({POSTGRES_SINCE.format(row="NEW")}, 1);
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO idea_count_deltas (key, delta)
            VALUES ('state:' || OLD.state, -1), ({POSTGRES_SINCE.format(row="OLD")}, -1);
        ELSIF OLD.state <> NEW.state OR OLD.state_changed_at <> NEW.state_changed_at THEN
            INSERT INTO idea_count_deltas (key, delta)
            VALUES ('state:' || OLD.state, -1), ('state:' || NEW.state, 1),
                   ('stay:' || OLD.state || ':' || round(greatest(0, extract(epoch FROM
                        NEW.state_changed_at - OLD.state_changed_at) / 86400))::integer, 1),
                   ({POSTGRES_SINCE.format(row="OLD")}, -1),
                   ({POSTGRES_SINCE.format(row="NEW")}, 1);
        END IF;
        RETURN NULL;
    END $$""",  # noqa: S608 (built from this module's constants)
    "CREATE TRIGGER ideas_count_changes "
    "AFTER INSERT OR DELETE OR UPDATE OF state, state_changed_at ON ideas "
    "FOR EACH ROW EXECUTE FUNCTION ideas_count_changes()",
)
SQLITE_THEME_TRIGGERS = (
    "CREATE TRIGGER idea_themes_count_insert AFTER INSERT ON idea_themes BEGIN "
    f"{APPEND}('theme:' || NEW.theme_id, 1); END",
    "CREATE TRIGGER idea_themes_count_update AFTER UPDATE OF theme_id ON idea_themes BEGIN "
    f"{APPEND}('theme:' || OLD.theme_id, -1), ('theme:' || NEW.theme_id, 1); END",
    "CREATE TRIGGER idea_themes_count_delete AFTER DELETE ON idea_themes BEGIN "
    f"{APPEND}('theme:' || OLD.theme_id, -1); END",
)
POSTGRES_THEME_TRIGGERS = (
    """CREATE FUNCTION idea_themes_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO idea_count_deltas (key, delta) VALUES ('theme:' || OLD.theme_id, -1);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO idea_count_deltas (key, delta) VALUES ('theme:' || NEW.theme_id, 1);
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER idea_themes_count_changes "
    "AFTER INSERT OR DELETE OR UPDATE OF theme_id ON idea_themes "
    "FOR EACH ROW EXECUTE FUNCTION idea_themes_count_changes()",
)
FIRST_ARRIVAL = (
    "NOT EXISTS (SELECT 1 FROM idea_history h WHERE h.to_state = {row}.to_state "
    "AND h.idea_id = {row}.idea_id AND h.id <> {row}.id)"
)
SQLITE_HISTORY_TRIGGERS = (
    "CREATE TRIGGER idea_history_count_insert AFTER INSERT ON idea_history "
    f"WHEN {FIRST_ARRIVAL.format(row='NEW')} BEGIN "
    f"{APPEND}('reached:' || NEW.to_state, 1); END",
    "CREATE TRIGGER idea_history_count_delete AFTER DELETE ON idea_history "
    f"WHEN {FIRST_ARRIVAL.format(row='OLD')} BEGIN "
    f"{APPEND}('reached:' || OLD.to_state, -1); END",
)
POSTGRES_HISTORY_TRIGGERS = (
    f"""CREATE FUNCTION idea_history_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' AND {FIRST_ARRIVAL.format(row="NEW")} THEN
            INSERT INTO idea_count_deltas (key, delta) VALUES ('reached:' || NEW.to_state, 1);
        ELSIF TG_OP = 'DELETE' AND {FIRST_ARRIVAL.format(row="OLD")} THEN
            INSERT INTO idea_count_deltas (key, delta) VALUES ('reached:' || OLD.to_state, -1);
        END IF;
        RETURN NULL;
    END $$""",  # noqa: S608 (built from this module's constants)
    "CREATE TRIGGER idea_history_count_changes AFTER INSERT OR DELETE ON idea_history "
    "FOR EACH ROW EXECUTE FUNCTION idea_history_count_changes()",
)
SQLITE_DAYS = "julianday(h.at) - julianday(coalesce({previous}, i.created_at))"
POSTGRES_DAYS = "extract(epoch FROM h.at - coalesce({previous}, i.created_at)) / 86400"
STAYS_BACKFILL = """
    INSERT INTO idea_counts (key, total)
    SELECT 'stay:' || state || ':' || CAST(round({clamp}(0, days)) AS INTEGER), count(*)
    FROM (
        SELECT h.from_state AS state, {days} AS days
        FROM idea_history h JOIN ideas i ON i.id = h.idea_id
    ) stays
    GROUP BY 1
"""
PREVIOUS = "lag(h.at) OVER (PARTITION BY h.idea_id ORDER BY h.at, h.id)"


def upgrade() -> None:
    """Add the counts' tables, their triggers and totals, and the notification log's indexes."""
    op.create_table(
        "idea_counts",
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idea_counts")),
    )
    op.create_table(
        "idea_count_deltas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_count_deltas")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:  # no ideas are written while the migration holds the table
        op.execute("LOCK TABLE ideas IN SHARE MODE")
    if postgres:
        op.execute("LOCK TABLE idea_themes, idea_history IN SHARE MODE")
    triggers = (
        POSTGRES_TRIGGERS + POSTGRES_THEME_TRIGGERS + POSTGRES_HISTORY_TRIGGERS
        if postgres
        else SQLITE_TRIGGERS + SQLITE_THEME_TRIGGERS + SQLITE_HISTORY_TRIGGERS
    )
    for statement in triggers:
        op.execute(statement)
    op.execute(
        "INSERT INTO idea_counts (key, total) "
        "SELECT 'state:' || state, count(*) FROM ideas GROUP BY state"
    )
    days = POSTGRES_DAYS if postgres else SQLITE_DAYS
    clamp = "greatest" if postgres else "max"
    op.execute(STAYS_BACKFILL.format(clamp=clamp, days=days.format(previous=PREVIOUS)))
    since = (POSTGRES_SINCE if postgres else SQLITE_SINCE).format(row="ideas")
    op.execute(
        f"INSERT INTO idea_counts (key, total) SELECT {since}, count(*) FROM ideas GROUP BY 1"  # noqa: S608
    )
    op.execute(
        "INSERT INTO idea_counts (key, total) "
        "SELECT 'theme:' || theme_id, count(*) FROM idea_themes GROUP BY theme_id"
    )
    op.execute(
        "INSERT INTO idea_counts (key, total) SELECT 'reached:' || to_state, "
        "count(DISTINCT idea_id) FROM idea_history GROUP BY to_state"
    )
    op.create_index("ix_notifications_created", "notifications", ["created_at", "id"])
    op.create_index("ix_notifications_kind_created", "notifications", ["kind", "created_at", "id"])


def downgrade() -> None:
    """Drop the notification log's indexes, the counts' triggers and tables."""
    op.drop_index("ix_notifications_kind_created", table_name="notifications")
    op.drop_index("ix_notifications_created", table_name="notifications")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER idea_history_count_changes ON idea_history")
        op.execute("DROP FUNCTION idea_history_count_changes()")
        op.execute("DROP TRIGGER idea_themes_count_changes ON idea_themes")
        op.execute("DROP FUNCTION idea_themes_count_changes()")
        op.execute("DROP TRIGGER ideas_count_changes ON ideas")
        op.execute("DROP FUNCTION ideas_count_changes()")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER ideas_count_{name}")
            op.execute(f"DROP TRIGGER idea_themes_count_{name}")
        for name in ("insert", "delete"):
            op.execute(f"DROP TRIGGER idea_history_count_{name}")
    op.drop_table("idea_count_deltas")
    op.drop_table("idea_counts")
