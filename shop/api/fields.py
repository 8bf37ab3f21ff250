"""Request fields that take only the JSON type the schema documents.

DRF's fields coerce (a number where a string is expected, "5" or 5.0 for an integer, "yes" for
true); a client generated from the schema never sends those, and accepting them hides bugs in
clients. These refuse them with a clear message instead.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.settings import api_settings


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    default_error_messages = {"not_a_string": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryBooleanField(serializers.BooleanField):
    """A query-string flag: exactly "true" or "false"."""

    default_error_messages = {"invalid": 'Use "true" or "false".'}

    def to_internal_value(self, data):
        if data == "true":
            return True
        if data == "false":
            return False
        self.fail("invalid")


class StrictSlugField(serializers.SlugField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    """An amount as a JSON string ("12.50"), never a float."""

    default_error_messages = {"not_a_string": 'Send the amount as a string, like "12.50".'}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class QueryDecimalField(serializers.DecimalField):
    """A query-string amount: empty (`max_price=`, as a form sends it) is the same as absent."""

    empty_is_absent = True

    def validate_empty_values(self, data):
        if data == "":
            return True, None
        return super().validate_empty_values(data)


def decimal_string_pattern(field: serializers.DecimalField) -> str:
    """The strings the field accepts: at least one digit, a minus sign only where negative amounts
    are allowed, at most its whole and decimal digits; empty too where empty means absent."""
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    places = field.decimal_places
    whole = field.max_whole_digits
    fraction = rf"\.\d{{1,{places}}}" if places else ""
    integer = (rf"\d{{1,{whole}}}(?:\.\d{{0,{places}}})?" if places else rf"\d{{1,{whole}}}") if whole else "0?"
    number = f"(?:{integer}|{fraction})" if fraction else integer
    empty = "|" if getattr(field, "empty_is_absent", False) else ""
    return rf"^(?:{sign}{number}{empty})$"


class DecimalStringSchema(OpenApiSerializerFieldExtension):
    """drf-spectacular's pattern for a decimal string also allows "", "-" and "." (each a 400 here)
    and a minus sign where min_value forbids it: the schema says what the field accepts instead."""

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if not getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING) or field.max_digits is None:
            return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        return {"type": "string", "format": "decimal", "pattern": decimal_string_pattern(field)}


class TrimmedStringSchema(OpenApiSerializerFieldExtension):
    """A required text field trims its whitespace first, so one of only whitespace (of any kind
    Python strips, "\\x1c" too) is refused as blank: the schema asks for a non-whitespace character."""

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        has_own_pattern = any(isinstance(validator, RegexValidator) for validator in field.validators)
        if (direction == "request" and field.trim_whitespace and not field.allow_blank and not has_own_pattern
                and schema.get("type") == "string" and not {"pattern", "format", "enum"} & set(schema)):
            schema["pattern"] = r"\S"
        return schema
