"""The TRM pages: the child's stage and its history, the reference data (stages.py); THRIVE and goals (outcomes.py)."""
