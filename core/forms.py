"""The GOV.UK form kit every app uses: dates typed as day, month and year, the date of birth bounded
the same everywhere, and a service's ValidationError shown on the form. Forms never save."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone

from core.dates import age_on

DATE_PARTS = ("day", "month", "year")


class DatePartsWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes named `<field>_day`, `<field>_month`, `<field>_year`."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput}, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovDateField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK messages for each way it can be wrong."""

    widget = DatePartsWidget
    default_error_messages = {"required": "Enter the date"}

    def prepare_value(self, value: Any) -> Any:
        return [value.day, value.month, value.year] if isinstance(value, dt.date) else value

    def to_python(self, value: Any) -> dt.date | None:
        parts = [str(part or "").strip() for part in (value or ["", "", ""])]
        if not any(parts):
            return None
        label = str(self.label or "The date")
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            raise ValidationError(f"{label} must include a {' and a '.join(missing)}", code="incomplete")
        day, month, year = parts
        if not all(part.isdigit() for part in parts) or len(year) != 4:
            raise ValidationError(f"{label} must be a real date, like 27 3 2025", code="invalid")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError(f"{label} must be a real date, like 27 3 2025", code="invalid") from error


class DatePartsBoundField(BoundField):
    """A date field's day, month and year as typed (or as stored), for templates that show them by name."""

    @property
    def parts(self) -> dict[str, str]:
        value = self.value()
        if isinstance(value, dt.date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, list | tuple):
            return {part: str(typed or "") for part, typed in zip(DATE_PARTS, value, strict=False)}
        return dict.fromkeys(DATE_PARTS, "")

    @property
    def as_date(self) -> dt.date | None:
        """The date the parts make, to show back as ECM writes dates ("5 June 2011"); None if they make none."""
        parts = self.parts
        try:
            return dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            return None


OLDEST_AGE = 25  # ECM works with children and, in transition, young people up to 25


class PastDateField(GovDateField):
    """A date that has happened (a consent given, a date of birth): a real date, today or earlier, and
    from `min_year` on when given (so a mistyped year such as "0206" is not taken as a real one)."""

    bound_field_class = DatePartsBoundField

    def __init__(self, *, min_year: int | None = None, **kwargs: Any) -> None:
        self.min_year = min_year
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        try:
            date = super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid":
                raise ValidationError(f"{self.label} must be a real date", code="invalid") from error
            raise
        if date is not None and self.min_year is not None and date.year < self.min_year:
            raise ValidationError(f"{self.label} must be a real date", code="invalid")
        return date

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and value > timezone.localdate():
            raise ValidationError(f"{self.label} must be today or in the past", code="future")


class DateOfBirthField(PastDateField):
    """A child's date of birth, bounded the same on every form that takes one (the child's details, the
    referral): a real date, not in the future, for a child or young person aged OLDEST_AGE or under.

    The date already on the record (`on_record`) passes the age bound, so a young person who has turned
    26 during their case can still have their other details changed.
    """

    def __init__(self, *, on_record: dt.date | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Date of birth")
        kwargs.setdefault("error_messages", {"required": "Enter the child's date of birth"})
        self.on_record = on_record
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and value != self.on_record and age_on(value, timezone.localdate()) > OLDEST_AGE:
            raise ValidationError(
                f"{self.label} must be for a child or young person aged {OLDEST_AGE} or under", code="too_old"
            )


def not_in_future(value: dt.date, label: str) -> None:
    """A date the person says has happened: today or earlier."""
    if value > timezone.localdate():
        raise ValidationError(f"{label} must be today or in the past")


def _clock_time(value: dt.time) -> str:
    """1:30am, 12:15pm: a time as the clock-change messages write it."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}"


def local_moment(day: dt.date, time: dt.time, *, later_than: dt.datetime | None = None) -> dt.datetime:
    """The moment a time typed in UK time (the project's time zone) means on `day`, in UTC.

    In the hour the clocks go forward (from 1am on the last Sunday of March) the time does not
    exist: a ValidationError says so. In the hour they go back (from 1am on the last Sunday of
    October, which happens twice) it is the first time round, summer time, unless that is not after
    `later_than` (an end time after a start in that hour), when it is the second, in GMT.
    Returned in UTC so comparisons and differences are true across the change.
    """
    zone = timezone.get_current_timezone()
    naive = dt.datetime.combine(day, time)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValidationError(
            f"{_clock_time(time)} on {day.day} {day:%B %Y} does not exist in the UK because the clocks go forward. "
            "Choose another time.",
            code="clock_change_gap",
        )
    moment = first.astimezone(dt.UTC)
    if later_than is not None and moment <= later_than and first.utcoffset() != second.utcoffset():
        moment = second.astimezone(dt.UTC)
    return moment


def is_repeated_time(day: dt.date, time: dt.time) -> bool:
    """Whether the clocks going back make this UK time happen twice on `day`."""
    zone = timezone.get_current_timezone()
    naive = dt.datetime.combine(day, time)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    exists = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == naive
    return exists and first.utcoffset() != second.utcoffset()


class ServiceErrorsMixin:
    """Show a service's ValidationError on the form, on the field it names when the form has one."""

    # Service field name -> form field name, where they differ.
    service_fields: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        form: Any = self
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        for name, messages in error.error_dict.items():
            field = self.service_fields.get(name, name)
            form.add_error(field if field in form.fields else None, messages)
