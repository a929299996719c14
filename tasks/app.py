"""The app for Celery's own command line, e.g. the health check ``celery -A tasks.app inspect
ping``; ``ideaflow worker`` and ``ideaflow beat`` build the same app from the same settings."""

from tasks.celery_app import create_celery
from workflow.settings import Settings

app = create_celery(Settings.from_env())
