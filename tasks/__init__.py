"""Background work: the Celery app, outbox delivery and owner follow-ups."""
