from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from apps.core.exceptions import DomainError


def add_validation_errors(form, exc: ValidationError) -> None:
    """Put a model ValidationError raised by a service onto the form's fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)
    else:
        form.add_error(None, exc.messages)


def call_for_form(form, service, /, **kwargs) -> tuple[bool, object]:
    """Call a service on behalf of a valid form: its ValidationError lands on the fields, any
    other rule it breaks on the form itself. Returns (went through, the service's result)."""

    try:
        return True, service(**kwargs)
    except ValidationError as exc:
        add_validation_errors(form, exc)
    except DomainError as exc:
        form.add_error(None, str(exc))
    return False, None
