"""Task names: the web app and the scheduler send tasks by name, without importing them."""

RELAY_OUTBOX = "ideaflow.relay_outbox"
DELIVER_NOTIFICATION = "ideaflow.deliver_notification"
SWEEP = "ideaflow.sweep"
FOLLOWUPS = "ideaflow.followups"
DIGESTS_DAILY = "ideaflow.digests_daily"
DIGESTS_WEEKLY = "ideaflow.digests_weekly"
WEEKLY_SUMMARY = "ideaflow.weekly_summary"
