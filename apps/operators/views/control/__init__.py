"""The control panel (/control/ on organization hosts): pages that ask the permission module,
each decorated with apps.operators.decorators.control_view."""
