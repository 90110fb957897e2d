"""Database functions for finding a child by a name that sounds alike (PostgreSQL's fuzzystrmatch extension)."""

from __future__ import annotations

from django.db import models


class DMetaphone(models.Func):
    """Double Metaphone code of a name ("Brennan" and "Brenan" both give "PRNN"); IMMUTABLE, so indexable."""

    function = "dmetaphone"
    output_field = models.CharField()
