from __future__ import annotations

from typing import Any


def test_trajectory_list_and_detail(own: Any, trajectory: Any) -> None:
    response = own.get("/api/v1/trajecten")
    assert response.status_code == 200, response.content
    assert response["API-Version"] == "1.0.0"
    body = response.json()
    assert body["count"] == 1
    detail = own.get(f"/api/v1/trajecten/{trajectory.pk}")
    assert detail.status_code == 200, detail.content
