"""The reliability soak: real processes against real services, each scenario a claim checked.

``python -m soak`` (``make soak``) runs every scenario at full size and writes
``reports/reliability.json``; ``--quick`` (``make soak QUICK=1``, and the test in tests/soak that
``make test`` runs) runs the same code at small sizes with shortened delivery timings.
"""
