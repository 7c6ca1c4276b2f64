"""The plain types refuse what would corrupt data: naive times, wrong fields, misplaced packages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ossgrowth.errors import InputError
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName

REPO = RepoName("Octo", "Widgets")


def test_repo_names_compare_case_insensitively_by_key() -> None:
    assert REPO.key == "octo/widgets" == RepoName("OCTO", "widgets").key
    assert str(REPO) == "Octo/Widgets"


def test_points_are_kept_in_utc_whatever_zone_they_were_given_in() -> None:
    pacific = timezone(timedelta(hours=-8))
    point = Point(
        REPO,
        Family.STARS,
        datetime(2026, 1, 1, 16, tzinfo=pacific),
        {"star_count": 1},
        Provenance.MEASURED,
        "t",
    )
    assert point.observed_at == datetime(2026, 1, 2, 0, tzinfo=UTC)
    assert point.observed_at.tzinfo is UTC
    assert point.epoch_seconds == int(datetime(2026, 1, 2, tzinfo=UTC).timestamp())


def test_a_naive_time_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        Point(REPO, Family.STARS, datetime(2026, 1, 1), {"star_count": 1}, Provenance.MEASURED, "t")


@pytest.mark.parametrize("values", [{}, {"stars": 1}, {"star_count": 1, "extra": 2}])
def test_a_point_must_carry_exactly_its_family_fields(values: dict[str, int]) -> None:
    with pytest.raises(InputError, match="star_count"):
        Point(
            REPO, Family.STARS, datetime(2026, 1, 1, tzinfo=UTC), values, Provenance.MEASURED, "t"
        )


def test_download_points_name_their_package_and_others_do_not() -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(InputError, match="belong to a package"):
        Point(
            REPO,
            Family.DOWNLOADS,
            moment,
            {"weekly_downloads": 1, "total_downloads": 1},
            Provenance.MEASURED,
            "t",
        )
    with pytest.raises(InputError, match="not to a package"):
        Point(
            REPO,
            Family.STARS,
            moment,
            {"star_count": 1},
            Provenance.MEASURED,
            "t",
            PackageRef(Ecosystem.NPM, "x"),
        )


def test_provenance_labels_round_trip() -> None:
    for member in Provenance:
        assert Provenance.from_label(member.label) is member
    with pytest.raises(ValueError, match="measured"):
        Provenance.from_label("guessed")
