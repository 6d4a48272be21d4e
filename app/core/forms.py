"""Form plumbing shared by the server-rendered pages (registration, account, listing forms, admin forms).

Pages do not validate anything themselves. A declarative list of :class:`FormField` turns a posted HTML
form into the object a service loads with its marshmallow schema (the one place the rules live), and the
service's field errors back into messages shown next to the fields. The same list turns a dumped object
into the values an edit form shows. The messages are already in the reader's language (app/core/messages.py).
"""
from __future__ import annotations

import enum
import itertools
import re
from dataclasses import dataclass, field

from marshmallow import fields as ma
from marshmallow.utils import missing as ma_missing

from app.core.errors import ServiceError

OMIT = object()  # the key is left out of the service input (schema default on create, unchanged on edit)
LIST_SEPARATORS = re.compile(r"[\n,，;；、]+")
TEXT_WIDGETS = {"text", "textarea", "number", "date", "select", "email", "password"}


@dataclass(frozen=True)
class FormField:
    """One input of a form, named after the schema's data key it fills.

    Widgets: ``text``, ``textarea``, ``number``, ``date``, ``email``, ``password``, ``select`` (``choices``),
    ``checkboxes`` (several ``choices`` → list), ``checkbox`` (boolean), ``list`` (comma or line separated
    → list of strings) and ``rows`` (a table of ``columns`` with add/remove, e.g. technical indicators).
    """

    name: str
    label: object
    widget: str = "text"
    choices: tuple = ()
    help: object = None
    columns: tuple = ()
    required: bool = False  # only marks the label; the schema decides
    wide: bool = False  # takes the whole width of the form grid

    @property
    def blank_row(self) -> dict:
        return {column.name: (column.choices[0][0] if column.choices else "") for column in self.columns}

    def from_request(self, form):
        """What the user typed, as the template shows it again."""
        if self.widget == "checkboxes":
            return form.getlist(self.name)
        if self.widget == "checkbox":
            return self.name in form
        if self.widget == "rows":
            cells = [form.getlist(f"{self.name}-{column.name}") for column in self.columns]
            rows = [dict(zip([c.name for c in self.columns], values, strict=False))
                    for values in itertools.zip_longest(*cells, fillvalue="")]
            return [row for row in rows if not self._row_is_blank(row)]
        return form.get(self.name, "")

    def from_data(self, data: dict):
        """The value of a dumped object (or of pending edits) as the form shows it."""
        value = data.get(self.name)
        if self.widget == "checkboxes":
            return [str(v) for v in value or []]
        if self.widget == "checkbox":
            return bool(value)
        if self.widget == "list":
            return ", ".join(value or [])
        if self.widget == "rows":
            return [{column.name: _shown(row.get(column.name)) for column in self.columns} for row in value or []]
        return _shown(value)

    def to_input(self, shown, schema_field):
        """The service input for the shown value, or :data:`OMIT`."""
        if self.widget == "checkboxes":
            return list(shown)
        if self.widget == "checkbox":
            return bool(shown)
        if self.widget == "list":
            return [part.strip() for part in LIST_SEPARATORS.split(shown or "") if part.strip()]
        if self.widget == "rows":
            inner = _nested_fields(schema_field)
            rows = []
            for row in shown:
                loaded = {c.name: c.to_input(row.get(c.name, ""), inner.get(c.name)) for c in self.columns}
                rows.append({key: value for key, value in loaded.items() if value is not OMIT})
            return rows
        text = (shown or "").strip()
        return text if text else _blank(schema_field)

    def _row_is_blank(self, row: dict) -> bool:
        # Select cells always carry a value; a row is blank when every typed cell is.
        return all(not (row.get(c.name) or "").strip() for c in self.columns if c.widget != "select")


@dataclass(frozen=True)
class FormSection:
    """A titled group of fields (a fieldset)."""

    title: object
    fields: tuple


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _defaults(schema) -> dict:
    """The schema's load defaults by data key (callables called), as a dumped object would hold them."""
    defaults = {}
    for key, schema_field in _by_data_key(schema).items():
        default = schema_field.load_default
        if default is not ma_missing:
            defaults[key] = default() if callable(default) else default
    return defaults


def _blank(schema_field):
    """What an empty input means for ``schema_field``: null, the schema's default/unchanged, or empty text."""
    if schema_field is None:
        return OMIT
    if schema_field.allow_none:
        return None
    if schema_field.load_default is not ma_missing:
        return OMIT
    if isinstance(schema_field, ma.String):
        return ""  # the schema says what is wrong with an empty required text
    return OMIT


def _nested_fields(schema_field) -> dict:
    """Fields of the row schema of ``List(Nested(RowSchema))``, by data key."""
    inner = getattr(schema_field, "inner", None)
    schema = getattr(inner, "schema", None)
    return _by_data_key(schema) if schema is not None else {}


def _by_data_key(schema) -> dict:
    return {f.data_key or name: f for name, f in schema.fields.items()}


@dataclass
class Form:
    """A form being shown: its sections, the values shown and the messages by field."""

    sections: tuple
    schema: object
    values: dict
    errors: dict = field(default_factory=dict)

    @classmethod
    def blank(cls, sections, schema) -> Form:
        """A new form showing the schema's defaults and one empty row per row table."""
        form = cls.from_data(sections, schema, _defaults(schema))
        for f in form.fields:
            if f.widget == "rows" and not form.values[f.name]:
                form.values[f.name] = [f.blank_row]
        return form

    @classmethod
    def from_data(cls, sections, schema, data: dict) -> Form:
        return cls(tuple(sections), schema, {f.name: f.from_data(data) for f in _fields(sections)})

    @classmethod
    def from_request(cls, sections, schema, form) -> Form:
        return cls(tuple(sections), schema, {f.name: f.from_request(form) for f in _fields(sections)})

    @property
    def fields(self) -> list[FormField]:
        return _fields(self.sections)

    def data(self) -> dict:
        """The service input: every field the form holds, blank ones as the schema wants them."""
        schema_fields = _by_data_key(self.schema)
        loaded = {f.name: f.to_input(self.values[f.name], schema_fields.get(f.name)) for f in self.fields}
        return {key: value for key, value in loaded.items() if value is not OMIT}

    def fail(self, error: ServiceError) -> Form:
        """Take the field errors of ``error`` (422, or a 409 naming fields) or its message."""
        self.errors = error.extra.get("errors") or {"_form": [error.message]}
        # Blank rows were not sent to the service; give back the empty row to type into (after the sent rows,
        # so the row numbers of the messages still match).
        for f in self.fields:
            if f.widget == "rows":
                self.values[f.name] = [*self.values[f.name], f.blank_row]
        return self

    def change_rows(self, command: str) -> bool:
        """Apply ``add:<field>`` or ``remove:<field>:<index>`` (row buttons without JavaScript); True if applied."""
        action, _, rest = command.partition(":")
        name, _, index = rest.partition(":")
        target = next((f for f in self.fields if f.name == name and f.widget == "rows"), None)
        if target is None:
            return False
        rows = list(self.values[name])
        if action == "add":
            rows.append(target.blank_row)
        elif action == "remove" and index.isdigit() and int(index) < len(rows):
            del rows[int(index)]
        else:
            return False
        self.values[name] = rows
        return True

    # ------------------------------------------------------------ messages for the template

    def messages(self, name: str) -> list[str]:
        """Messages about field ``name`` as a whole (row messages: :meth:`row_messages`)."""
        value = self.errors.get(name)
        target = next((f for f in self.fields if f.name == name), None)
        if target is not None and target.widget == "rows" and isinstance(value, dict):
            return []
        return flatten_messages(value)

    def row_messages(self, name: str, index: int) -> list[str]:
        """Messages about row ``index`` of a ``rows`` field, each naming its column."""
        rows = self.errors.get(name)
        if not isinstance(rows, dict):
            return []
        row = rows.get(index, rows.get(str(index)))
        target = next(f for f in self.fields if f.name == name)
        labels = {c.name: c.label for c in target.columns}
        if isinstance(row, dict):
            return [f"{labels.get(column, column)}：{m}" for column, msgs in row.items() for m in flatten_messages(msgs)]
        return flatten_messages(row)

    def general_messages(self) -> list[str]:
        """Messages that name no field of this form."""
        names = {f.name for f in self.fields}
        return [m for key, value in self.errors.items() if key not in names for m in flatten_messages(value)]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)


def _fields(sections) -> list[FormField]:
    return [f for section in sections for f in section.fields]


def flatten_messages(errors) -> list[str]:
    """Every message of a (nested) marshmallow error structure, as one flat list."""
    if errors is None:
        return []
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in flatten_messages(value)]
    if isinstance(errors, (list, tuple)):
        return [m for value in errors for m in flatten_messages(value)]
    return [str(errors)]
