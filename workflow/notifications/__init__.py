"""Emails: who hears about what, what the message says, and the signed links it carries."""
