"""One way of writing dates everywhere (GOV.UK style, issue 16): "3 December 2026" in prose and summary
lists (`{{ day }}`, `|date`), "3 Dec 2026" in tables (`|date:"SHORT_DATE_FORMAT"` or `|date:"j M Y"`), times
on the 24-hour clock. Never "03 Dec 2026" or "3/12/2026". Django's own en-GB module writes DATE_FORMAT as
"j M Y" and SHORT_DATE_FORMAT as "d/m/Y", and a locale's module wins over settings, so ECM names its own.
What is not here (the input formats) still comes from Django's en-GB module."""

DATE_FORMAT = "j F Y"  # 3 December 2026
SHORT_DATE_FORMAT = "j M Y"  # 3 Dec 2026
DATETIME_FORMAT = "j F Y, H:i"  # 3 December 2026, 14:30
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 3 Dec 2026, 14:30
TIME_FORMAT = "H:i"  # 14:30
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 3 December
