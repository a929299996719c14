"""Use cases, one function each, run inside a unit of work by the web, the CLI and the tasks."""
