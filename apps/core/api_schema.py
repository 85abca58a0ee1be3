"""The OpenAPI schema's shared default: every operation documents the error answers it can
give, so a client (and the schema-driven fuzz run, tests/test_api_fuzz.py) knows them all.
An operation's own `extend_schema(responses=...)` still wins for a status it names."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Field errors ({"field": ["message"]}) or, for the request as a whole, {"detail": "..."}.
FIELD_ERRORS = {"type": "object", "additionalProperties": {}}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TesseraAutoSchema(AutoSchema):
    """drf-spectacular's schema plus, on every operation, where it applies:
    400 input refused, with field errors (a request body, query parameters, any write);
    401 no or a bad credential (every view authenticates, even one anonymous visitors may use);
    403 not allowed (views with permission checks);
    404 no such object, or no such page of a list (path parameters, paginated lists);
    409 the write conflicts with the data (dependants, state; every write but a view that says
    `never_conflicts = True`, such as the token request);
    429 too many requests, with Retry-After (views with throttles)."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for code, (schema, description) in self._error_answers(operation).items():
            operation["responses"].setdefault(
                code, self._get_response_for_code(schema, code) | {"description": str(description)}
            )
        return operation

    def _error_answers(self, operation) -> dict:
        parameters = {parameter["in"] for parameter in operation.get("parameters", [])}
        checked = any(not isinstance(permission, AllowAny) for permission in self.view.get_permissions())
        answers = {}
        if "requestBody" in operation or "query" in parameters or self.method in WRITES:
            answers["400"] = (FIELD_ERRORS, _("The input is refused: each field's errors, or a detail."))
        if self.view.get_authenticators():
            answers["401"] = (ErrorSerializer, _("No credentials, or credentials that are not valid."))
        if checked:
            answers["403"] = (ErrorSerializer, _("Your account may not do this."))
        if "path" in parameters or self._is_paginated():
            answers["404"] = (ErrorSerializer, _("No such object, or no such page."))
        if self.method in WRITES and not getattr(self.view, "never_conflicts", False):
            answers["409"] = (ErrorSerializer, _("The change conflicts with the current data."))
        if self.view.get_throttles():
            answers["429"] = (ErrorSerializer, _("Too many requests: try again after Retry-After seconds."))
        return answers

    def _is_paginated(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
