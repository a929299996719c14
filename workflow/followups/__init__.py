"""Follow-ups: when an idea's owner is due a reminder, decided from facts alone (no database)."""
