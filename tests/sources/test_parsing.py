"""Timestamps in upstream answers: read with their zone, never guessed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.model import to_epoch_seconds
from ossgrowth.sources.parsing import UnexpectedAnswer, as_epoch_seconds, as_timestamp

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(moment=moments, zone=offsets)
def test_epoch_seconds_agree_with_the_utc_timestamp(moment: datetime, zone: timezone) -> None:
    moment = moment.replace(microsecond=0)
    for text in (
        moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        moment.astimezone(zone).isoformat(),
    ):
        assert as_epoch_seconds(text, "t") == to_epoch_seconds(as_timestamp(text, "t"))
        assert as_epoch_seconds(text, "t") == int(moment.timestamp())


@pytest.mark.parametrize("value", ["2026-09-11T15:14:07", "2026-09-11", "yesterday", "", 17, None])
def test_a_timestamp_without_a_zone_or_not_a_timestamp_is_refused(value: object) -> None:
    with pytest.raises(UnexpectedAnswer):
        as_epoch_seconds(value, "createdAt")
    with pytest.raises(UnexpectedAnswer):
        as_timestamp(value, "createdAt")
