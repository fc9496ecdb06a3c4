"""marshmallow's built-in messages in the user's language, and error dicts made presentable."""

from flask_babel import lazy_gettext as _l

# marshmallow's own English messages, mapped to translatable ones.
BUILTIN = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field may not be empty."),
    "Invalid value.": _l("Invalid value."),
    "Invalid type.": _l("Invalid type."),
    "Invalid input type.": _l("The body must be a JSON object."),
    "Unknown field.": _l("Unknown field."),
    "Not a valid string.": _l("Enter text."),
    "Not a valid number.": _l("Enter a number."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Number too large.": _l("The number is too large."),
    "Special numeric values (nan or infinity) are not permitted.": _l("Enter a finite number."),
    "Not a valid boolean.": _l("Enter true or false."),
    "Not a valid datetime.": _l("Enter a date and time in ISO 8601 format."),
    "Not a valid aware datetime.": _l(
        "Enter a date and time with its offset, e.g. 2026-12-01T10:00:00+08:00."
    ),
    "Not a valid date.": _l("Enter a date as YYYY-MM-DD."),
    "Not a valid list.": _l("Enter a list."),
    "Not a valid mapping type.": _l("Enter an object."),
    "Not a valid email address.": _l("Enter a valid email address."),
    # the API's paging parameters
    "Must be greater than or equal to 1.": _l("At least 1."),
    "Must be greater than or equal to 1 and less than or equal to 100.": _l("From 1 to 100."),
}


def localize(message) -> str:
    text = str(message)
    return str(BUILTIN.get(text, text))


def localize_errors(errors):
    """The same structure with every message a plain string in the current language."""
    if isinstance(errors, dict):
        return {str(key): localize_errors(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [localize_errors(item) for item in errors]
    return localize(errors)


def flatten_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """``{"a": {"0": {"b": [...]}}}`` becomes ``{"a.0.b": [...]}``: one key per field."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, name))
    elif isinstance(errors, list | tuple) and not all(isinstance(item, dict) for item in errors):
        flat[prefix or "_schema"] = [localize(item) for item in errors]
    else:
        flat[prefix or "_schema"] = [localize(errors)]
    return flat
