"""Follow-up reports to a meeting's participants: the plan, the content and its words."""
