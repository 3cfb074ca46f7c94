"""A resident's file with their names and BSN everywhere (tests/privacy/conftest.py)."""

from __future__ import annotations

import pytest

from tests.privacy.conftest import build_full_file
from wattelt.organisations.models import Staff
from wattelt.residents.models import Trajectory


@pytest.fixture
def full_file(trajectory: Trajectory, alice: Staff, charlie: Staff) -> Trajectory:
    return build_full_file(trajectory, alice, charlie)
