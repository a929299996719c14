"""Kept counts of each owner's and each theme's ideas by state: the dashboard's load per owner
and ideas per theme without aggregating every idea on each view.

In ``idea_counts`` / ``idea_count_deltas`` (migration 0013), appended by triggers in the
writer's transaction:

- ``owner:<user id>:<state>``, and ``owner:none:<state>`` for ideas without an owner: kept by
  triggers on ``ideas`` (insert, delete, change of state or owner);
- ``themed:<theme id>:<state>``: the ideas a theme tags, by their state. Kept by triggers on
  ``idea_themes`` (a link added or removed counts its idea's state) and on ``ideas`` (a change
  of state moves every link of the idea). An idea's deletion removes its links' counts *before*
  the row goes (its links are then deleted by the cascade, when the idea can no longer be
  found, and count nothing).

The totals start from the ideas and links there are. On PostgreSQL the keys take the "C"
collation: they compare bytewise, as on SQLite, so the keys with a prefix are a range of the
primary key.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND = "INSERT INTO idea_count_deltas (key, delta) "
OWNER = "'owner:' || coalesce(CAST({row}.owner_id AS TEXT), 'none') || ':' || {row}.state"
THEMED = "'themed:' || {link}.theme_id || ':' || {state}"
LINKS_OF = (
    APPEND + "SELECT " + THEMED.format(link="l", state="{row}.state") + ", {sign} "
    "FROM idea_themes l WHERE l.idea_id = {row}.id"
)
LINKED_IDEA = (
    APPEND + "SELECT " + THEMED.format(link="{row}", state="i.state") + ", {sign} "
    "FROM ideas i WHERE i.id = {row}.idea_id"
)
MOVED = "OLD.state <> NEW.state OR OLD.owner_id IS DISTINCT FROM NEW.owner_id"

SQLITE_TRIGGERS = (
    "CREATE TRIGGER ideas_owner_count_insert AFTER INSERT ON ideas BEGIN "
    f"{APPEND}VALUES ({OWNER.format(row='NEW')}, 1); "
    f"{LINKS_OF.format(row='NEW', sign=1)}; END",
    "CREATE TRIGGER ideas_owner_count_update AFTER UPDATE OF state, owner_id ON ideas "
    f"WHEN {MOVED.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN "
    f"{APPEND}VALUES ({OWNER.format(row='OLD')}, -1), ({OWNER.format(row='NEW')}, 1); END",
    "CREATE TRIGGER ideas_themed_count_update AFTER UPDATE OF state ON ideas "
    "WHEN OLD.state <> NEW.state BEGIN "
    f"{LINKS_OF.format(row='OLD', sign=-1)}; {LINKS_OF.format(row='NEW', sign=1)}; END",
    "CREATE TRIGGER ideas_owner_count_delete BEFORE DELETE ON ideas BEGIN "
    f"{APPEND}VALUES ({OWNER.format(row='OLD')}, -1); "
    f"{LINKS_OF.format(row='OLD', sign=-1)}; END",
    "CREATE TRIGGER idea_themes_themed_insert AFTER INSERT ON idea_themes BEGIN "
    f"{LINKED_IDEA.format(row='NEW', sign=1)}; END",
    "CREATE TRIGGER idea_themes_themed_update AFTER UPDATE OF theme_id, idea_id ON idea_themes "
    f"BEGIN {LINKED_IDEA.format(row='OLD', sign=-1)}; {LINKED_IDEA.format(row='NEW', sign=1)}; END",
    "CREATE TRIGGER idea_themes_themed_delete AFTER DELETE ON idea_themes BEGIN "
    f"{LINKED_IDEA.format(row='OLD', sign=-1)}; END",
)
POSTGRES_TRIGGERS = (
    f"""CREATE FUNCTION ideas_owner_counts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {APPEND}VALUES ({OWNER.format(row="NEW")}, 1);
            {LINKS_OF.format(row="NEW", sign=1)};
            RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
            {APPEND}VALUES ({OWNER.format(row="OLD")}, -1);
            {LINKS_OF.format(row="OLD", sign=-1)};
            RETURN OLD;
        ELSIF {MOVED} THEN
            {APPEND}VALUES ({OWNER.format(row="OLD")}, -1), ({OWNER.format(row="NEW")}, 1);
            IF OLD.state <> NEW.state THEN
                {LINKS_OF.format(row="OLD", sign=-1)};
                {LINKS_OF.format(row="NEW", sign=1)};
            END IF;
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER ideas_owner_counts AFTER INSERT OR UPDATE OF state, owner_id ON ideas "
    "FOR EACH ROW EXECUTE FUNCTION ideas_owner_counts()",
    # Before the row goes: its links are still there to be counted.
    "CREATE TRIGGER ideas_owner_counts_delete BEFORE DELETE ON ideas "
    "FOR EACH ROW EXECUTE FUNCTION ideas_owner_counts()",
    f"""CREATE FUNCTION idea_themes_themed_counts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            {LINKED_IDEA.format(row="OLD", sign=-1)};
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {LINKED_IDEA.format(row="NEW", sign=1)};
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER idea_themes_themed_counts "
    "AFTER INSERT OR DELETE OR UPDATE OF theme_id, idea_id ON idea_themes "
    "FOR EACH ROW EXECUTE FUNCTION idea_themes_themed_counts()",
)
BACKFILL = (  # built from this module's constants
    f"INSERT INTO idea_counts (key, total) SELECT {OWNER.format(row='ideas')}, count(*) "  # noqa: S608
    "FROM ideas GROUP BY 1",
    "INSERT INTO idea_counts (key, total) SELECT "  # noqa: S608
    f"{THEMED.format(link='l', state='i.state')}, count(*) "
    "FROM idea_themes l JOIN ideas i ON i.id = l.idea_id GROUP BY 1",
)


def upgrade() -> None:
    """Add the owners' and themes' count triggers and their totals."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:  # no ideas or links are written while the migration holds the tables
        op.execute("LOCK TABLE ideas, idea_themes IN SHARE MODE")
    if postgres:  # the keys compare bytewise, so that a prefix is a range of the index
        for table in ("idea_counts", "idea_count_deltas"):
            op.execute(f'ALTER TABLE {table} ALTER COLUMN key TYPE varchar(60) COLLATE "C"')
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    """Drop the triggers and the counts they kept."""
    if op.get_bind().dialect.name == "postgresql":
        for table in ("idea_counts", "idea_count_deltas"):
            op.execute(f'ALTER TABLE {table} ALTER COLUMN key TYPE varchar(60) COLLATE "default"')
        op.execute("DROP TRIGGER idea_themes_themed_counts ON idea_themes")
        op.execute("DROP FUNCTION idea_themes_themed_counts()")
        op.execute("DROP TRIGGER ideas_owner_counts_delete ON ideas")
        op.execute("DROP TRIGGER ideas_owner_counts ON ideas")
        op.execute("DROP FUNCTION ideas_owner_counts()")
    else:
        for name in (
            "ideas_owner_count_insert",
            "ideas_owner_count_update",
            "ideas_themed_count_update",
            "ideas_owner_count_delete",
            "idea_themes_themed_insert",
            "idea_themes_themed_update",
            "idea_themes_themed_delete",
        ):
            op.execute(f"DROP TRIGGER {name}")
    for table in ("idea_counts", "idea_count_deltas"):
        op.execute(f"DELETE FROM {table} WHERE key LIKE 'owner:%' OR key LIKE 'themed:%'")  # noqa: S608
