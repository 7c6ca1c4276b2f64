"""``ossgrowth leaderboard``: a ranking for people and for scripts, and one-line errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ossgrowth.config import load_settings
from ossgrowth.model import Ecosystem, Family, PackageRef, Point, Provenance, RepoName
from ossgrowth.store import open_store
from tests.test_cli import run_cli

AS_OF = datetime(2026, 11, 30, tzinfo=UTC)
DAY = timedelta(days=1)
VITE = RepoName("vitejs", "vite")
ASTRO = RepoName("withastro", "astro")
NPM_VITE = PackageRef(Ecosystem.NPM, "vite")


def stars(repo: RepoName, days_before: int, count: int, provenance: Provenance) -> Point:
    at = AS_OF - days_before * DAY
    return Point(repo, Family.STARS, at, {"star_count": count}, provenance, "github-graphql")


@pytest.fixture
def tracked(capsys: pytest.CaptureFixture[str]) -> None:
    """vite (big, slow this month) and astro (small, fast), a collection holding astro."""
    assert run_cli(capsys, "track", "vitejs/vite", "--npm", "vite")[0] == 0
    assert run_cli(capsys, "track", "withastro/astro")[0] == 0
    store = open_store(load_settings())
    store.write_points(
        [
            stars(VITE, 60, 99_000, Provenance.RECONSTRUCTED),
            stars(VITE, 30, 100_000, Provenance.RECONSTRUCTED),
            stars(VITE, 0, 101_000, Provenance.MEASURED),
            stars(ASTRO, 60, 90, Provenance.MEASURED),
            stars(ASTRO, 30, 100, Provenance.MEASURED),
            stars(ASTRO, 0, 150, Provenance.MEASURED),
            *(
                Point(
                    VITE,
                    Family.DOWNLOADS,
                    AS_OF - days * DAY,
                    {"weekly_downloads": weekly, "total_downloads": None},
                    Provenance.MEASURED,
                    "npm-downloads",
                    package=NPM_VITE,
                )
                for days, weekly in ((35, 1000), (0, 1500))
            ),
        ]
    )
    store.create_collection("frontend", name="Frontend", created_at=AS_OF)
    store.add_collection_members("frontend", [ASTRO])
    store.close()


def test_the_leaderboard_ranks_by_score_and_gain_as_json(
    capsys: pytest.CaptureFixture[str], tracked: None
) -> None:
    code, out, err = run_cli(capsys, "leaderboard", "--as-of", "2026-11-30", "--json")
    assert code == 0, err
    by_score = json.loads(out)
    assert [(row["rank"], row["repo"], row["gain"]) for row in by_score] == [
        (1, "withastro/astro", 50),  # +50 % of 100 beats +1 % of 100,000
        (2, "vitejs/vite", 1000),
    ]
    assert by_score[0]["relative_gain"] == 0.5
    # the month before, vite's +1,000 on 99,000 outscored astro's +10 on 90
    assert [row["rank_change"] for row in by_score] == [1, -1]
    assert by_score[1]["provenance"] == ["measured", "reconstructed"]
    assert by_score[1]["start_at"] == "2026-10-31T00:00:00Z"
    code, out, _ = run_cli(
        capsys, "leaderboard", "--by", "gain", "--as-of", "2026-11-30T00:00:00Z", "--json"
    )
    assert [row["repo"] for row in json.loads(out)] == ["vitejs/vite", "withastro/astro"]


def test_the_leaderboard_prints_a_table_of_whole_values_in_a_pipe(
    capsys: pytest.CaptureFixture[str], tracked: None
) -> None:
    code, out, _ = run_cli(capsys, "leaderboard", "--as-of", "2026-11-30", "--by", "relative")
    assert code == 0
    header, first, second = out.splitlines()
    assert header.split("\t") == [
        "rank",
        "rank_change",
        "repo",
        "package",
        "value",
        "start_value",
        "gain",
        "relative_gain",
        "score",
        "provenance",
        "start_at",
    ]
    assert first.split("\t")[:8] == [
        "1",
        "=",
        "withastro/astro",
        "—",
        "150",
        "100",
        "+50",
        "+50.0 %",
    ]
    assert second.split("\t")[:3] == ["2", "=", "vitejs/vite"]
    assert second.split("\t")[9] == "measured, reconstructed"


def test_a_collection_downloads_and_a_limit(
    capsys: pytest.CaptureFixture[str], tracked: None
) -> None:
    code, out, _ = run_cli(
        capsys, "leaderboard", "--collection", "Frontend", "--as-of", "2026-11-30", "--json"
    )
    assert code == 0 and [row["repo"] for row in json.loads(out)] == ["withastro/astro"]
    code, out, _ = run_cli(
        capsys, "leaderboard", "--family", "downloads", "--as-of", "2026-11-30", "--json"
    )
    (row,) = json.loads(out)
    assert (row["package"], row["start_value"], row["value"]) == ("npm:vite", 1000, 1500)
    code, out, _ = run_cli(
        capsys, "leaderboard", "--limit", "1", "--window", "7d", "--as-of", "2026-11-30", "--json"
    )
    assert len(json.loads(out)) == 1


def test_nothing_to_rank_is_said_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "leaderboard")
    assert code == 0 and out.strip() == "nothing to rank: no stars points in the store by then"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--window", "2w"), "Error: unknown window '2w'; expected one of 7d, 30d, 90d, 1y"),
        (("--by", "best"), "Error: unknown ranking 'best'; expected one of gain, relative, score"),
        (("--family", "likes"), "Error: unknown family 'likes'"),
        (("--family", "prs", "--field", "ratio"), "a ratio's gain is not ranked"),
        (("--field", "forks"), "Error: stars has no field 'forks'; rank one of star_count"),
        (("--collection", "nothing"), "Error: there is no collection 'nothing'"),
        (("--as-of", "someday"), "Error: --as-of must be a day (2026-03-01) or a time"),
        (("--limit", "0"), "Error: Invalid value for '--limit'"),
    ],
)
def test_bad_options_are_one_line_errors_with_exit_2(
    capsys: pytest.CaptureFixture[str], tracked: None, arguments: tuple[str, ...], message: str
) -> None:
    code, out, err = run_cli(capsys, "leaderboard", *arguments)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1, err
