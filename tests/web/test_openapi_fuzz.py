"""Schemathesis against /api/v1/openapi.json: generated requests (valid and not) for every
operation, as an outsider and as an admin, and not one server error. A bounded number of
examples per operation keeps the run to seconds."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests.web.conftest import sign_in

EXAMPLES = 20  # per operation, valid and invalid requests mixed


def test_openapi_no_server_errors(app: FastAPI, db: sessionmaker[Session]) -> None:
    admin = sign_in(app, db, "fuzz-admin", "admin")
    as_admin = {
        "X-CSRF-Token": admin.csrf,
        "Cookie": f"fd_session={admin.client.cookies['fd_session']}",
    }
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    calls: list[str] = []

    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
            operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            for headers in ({}, as_admin):
                response = case.call(headers=headers)
                calls.append(f"{case.method} {case.formatted_path} {response.status_code}")
                assert response.status_code < 500, (
                    case.method,
                    case.formatted_path,
                    response.text[:300],
                )

        run()
    assert len(calls) > len(operations) * 2
