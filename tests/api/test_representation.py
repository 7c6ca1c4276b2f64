"""Series rows as JSON records: every width of row reads the same way."""

from __future__ import annotations

import pytest

from ossgrowth.api.representation import point_records
from ossgrowth.metrics.registry import FAMILIES

MOMENT = 1_772_323_200  # 2026-03-01T00:00:00Z


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_a_record_names_every_field_of_its_row(width: int) -> None:
    names = [f"field_{index}" for index in range(width)]
    rows = [
        (MOMENT, *range(10, 10 + width), 3, "graphql"),
        (MOMENT + 10_800, *([None] * width), None, None),  # a gap
        (MOMENT + 86_399, *range(20, 20 + width), 2, "stargazers"),
    ]
    assert point_records(rows, names) == [
        {
            "time": "2026-03-01T00:00:00Z",
            "epoch_seconds": MOMENT,
            **{name: 10 + index for index, name in enumerate(names)},
            "provenance": "measured",
            "source": "graphql",
        },
        {
            "time": "2026-03-01T03:00:00Z",
            "epoch_seconds": MOMENT + 10_800,
            **dict.fromkeys(names),
            "provenance": None,
            "source": None,
        },
        {
            "time": "2026-03-01T23:59:59Z",
            "epoch_seconds": MOMENT + 86_399,
            **{name: 20 + index for index, name in enumerate(names)},
            "provenance": "reconstructed",
            "source": "stargazers",
        },
    ]


def test_keys_follow_the_familys_field_order() -> None:
    for definition in FAMILIES.values():
        names = definition.field_names
        row = (MOMENT, *range(len(names)), 3, "test")
        assert list(point_records([row], names)[0]) == [
            "time",
            "epoch_seconds",
            *names,
            "provenance",
            "source",
        ]
