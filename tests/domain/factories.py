"""Builders shared by the domain tests."""

from __future__ import annotations

from domain.clinics import Clinic


def make_clinic(**changes: object) -> Clinic:
    """A valid clinic in Moscow (therapist only, open Mondays 08:00-17:00), with ``changes`` on top."""
    data: dict[str, object] = {
        "name": "Central",
        "address": "Moscow",
        "region": "moscow",
        "latitude": 55.76,
        "longitude": 37.61,
        "phone": "+7 495 000-00-00",
        "timezone": "Europe/Moscow",
        "licence": "L-1",
        "exams": ["therapist"],
        "hours": {"mon": ["08:00-17:00"]},
    }
    data.update(changes)
    return Clinic.model_validate(data)
