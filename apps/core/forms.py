from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_validation_errors(form, exc: ValidationError) -> None:
    """Put a model ValidationError raised by a service onto the form's fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)
    else:
        form.add_error(None, exc.messages)
