"""Snapshots and download counts become store points with the registry's field names."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ossgrowth.metrics.registry import FAMILIES
from ossgrowth.model import Ecosystem, Family, PackageRef, Provenance, RepoName
from ossgrowth.sources import (
    DownloadCount,
    DownloadTotal,
    RepoSnapshot,
    download_point,
    snapshot_points,
)

MOMENT = datetime(2026, 9, 11, 15, 0, tzinfo=UTC)
REPO = RepoName("octo", "cat")
PACKAGE = PackageRef(Ecosystem.PYPI, "octocat")


def snapshot(open_prs: int = 4, open_issues: int = 0) -> RepoSnapshot:
    return RepoSnapshot(
        repo=REPO,
        node_id="R_1",
        name_with_owner=REPO,
        star_count=120,
        open_issues=open_issues,
        closed_issues=30,
        open_prs=open_prs,
        merged_prs=10,
        closed_prs=3,
        forks=14,
        watchers=6,
        observed_at=MOMENT,
    )


def test_a_snapshot_makes_one_measured_point_per_github_family() -> None:
    points = snapshot_points(snapshot(), "github-graphql")

    assert [point.family for point in points] == [
        Family.STARS,
        Family.PRS,
        Family.ISSUES,
        Family.REACH,
    ]
    for point in points:
        assert set(point.values) == set(FAMILIES[point.family].field_names)
        assert point.provenance is Provenance.MEASURED and point.source == "github-graphql"
        assert point.observed_at == MOMENT and point.repo == REPO
    assert points[0].values == {"star_count": 120}
    assert points[1].values == {"open_prs": 4, "merged_prs": 10, "ratio": 2.5}
    assert points[3].values == {"forks": 14, "watchers": 6}


def test_a_ratio_over_zero_open_items_is_none_not_zero() -> None:
    points = snapshot_points(snapshot(open_prs=0, open_issues=0), "github-rest")

    assert points[1].values["ratio"] is None
    assert points[2].values["ratio"] is None


def test_a_download_point_keeps_only_a_complete_total() -> None:
    weekly = DownloadCount(PACKAGE, 700, None, None, MOMENT)
    window = DownloadTotal(PACKAGE, 9000, date(2026, 3, 15), date(2026, 9, 10), False, MOMENT)
    complete = DownloadTotal(PACKAGE, 99000, date(2015, 1, 10), date(2026, 9, 10), True, MOMENT)

    partial = download_point(REPO, weekly, window, "pypistats")
    whole = download_point(REPO, weekly, complete, "npm")

    assert partial.values == {"weekly_downloads": 700, "total_downloads": None}
    assert whole.values == {"weekly_downloads": 700, "total_downloads": 99000}
    assert set(whole.values) == set(FAMILIES[Family.DOWNLOADS].field_names)
    assert whole.package == PACKAGE and whole.family is Family.DOWNLOADS
