"""Validation messages in the reader's language, by catalogue message, never by matching English text.

Schemas and services write their own messages as ``lazy_gettext`` strings (translated when shown). The
messages marshmallow makes itself (required, invalid number, length, range, choice, e-mail) are replaced here,
once, by catalogue messages: marshmallow formats a message from its template when a value fails, and a
:class:`Template` translates at that moment, so the message is in the language of the request that failed.

marshmallow takes only a ``str`` for one message (anything else is a structure of messages), so a schema raises
a lazy message in a list: ``ValidationError([_l("…")], "field")``.
"""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from app.core.formatting import format_number

# Range fills in its operator words when a schema is defined; the catalogue's messages word the bound themselves.
_DEFINITION_VALUES = {"min_op", "max_op"}
_EXCLUSIVE = "exclusive"  # Range's word for "greater than" and "less than" (a bound not itself allowed)


class Template(str):
    """A marshmallow message template whose text is a catalogue message id (``%(min)s`` placeholders)."""

    def format(self, *args, **values) -> str:
        if values and set(values) <= _DEFINITION_VALUES:
            return self
        bounds = {k: format_number(v) for k, v in values.items() if k in ("min", "max") and v is not None}
        return gettext(str(self), **{**values, **bounds})


class _Bound(Template):
    """A Range template with its wording for an excluded bound, chosen when Range fills in its operator words."""

    def __new__(cls, inclusive: Template, exclusive: Template):
        bound = super().__new__(cls, inclusive)
        bound.exclusive = exclusive
        return bound

    def format(self, *args, **values) -> str:
        if values and set(values) <= _DEFINITION_VALUES:
            return self.exclusive if _EXCLUSIVE in values.values() else Template(self)
        return super().format(*args, **values)


def N_(message: str) -> Template:  # noqa: N802 - the name pybabel extracts by default
    """Mark ``message`` for the catalogue; marshmallow translates it when it makes a message from it."""
    return Template(message)


# For services that check a choice themselves (a decision, a resource name, a format).
NOT_OFFERED = _l("Choose one of the offered values.")

REQUIRED = N_("This field is required.")
_FIELD_MESSAGES = {
    fields.Field: {"required": REQUIRED, "null": REQUIRED},
    fields.Number: {"invalid": N_("Enter a number.")},
    fields.Integer: {"invalid": N_("Enter a whole number.")},
    fields.Date: {"invalid": N_("Enter a date (YYYY-MM-DD).")},
    fields.Email: {"invalid": N_("Enter a valid e-mail address.")},
    fields.Enum: {"unknown": N_("Choose one of the offered values.")},
}
_VALIDATOR_MESSAGES = {
    validate.Length: {"message_min": N_("Enter at least %(min)s characters."),
                      "message_max": N_("Enter at most %(max)s characters."),
                      "message_all": N_("Enter %(min)s to %(max)s characters."),
                      "message_equal": N_("Enter exactly %(equal)s characters.")},
    validate.Range: {"message_min": _Bound(N_("Enter a value of at least %(min)s."), N_("Enter a value above %(min)s.")),
                     "message_max": _Bound(N_("Enter a value of at most %(max)s."), N_("Enter a value below %(max)s.")),
                     "message_all": _Bound(N_("Enter a value from %(min)s to %(max)s."),
                                           N_("Enter a value between %(min)s and %(max)s.")),
                     "message_gt": _EXCLUSIVE, "message_lt": _EXCLUSIVE},
    validate.OneOf: {"default_message": N_("Choose one of the offered values.")},
    validate.Email: {"default_message": N_("Enter a valid e-mail address.")},
}


def translate_marshmallow_messages() -> None:
    """Give marshmallow's fields and validators the catalogue's messages (before any schema is defined:
    fields and some validators copy their messages when they are created)."""
    for field_class, messages in _FIELD_MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **messages}
    for validator_class, messages in _VALIDATOR_MESSAGES.items():
        for name, template in messages.items():
            setattr(validator_class, name, template)


def as_text(errors):
    """A (nested) structure of messages with each message rendered as text now, in the current language: for
    what outlives the request or leaves through plain ``json.dumps`` (import reports)."""
    if isinstance(errors, dict):
        return {key: as_text(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [as_text(value) for value in errors]
    return str(errors)
