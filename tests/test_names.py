"""Repository and package names: exactly what GitHub, npm and PyPI allow, nothing else."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossgrowth.errors import InputError
from ossgrowth.model import Ecosystem, PackageRef, RepoName
from ossgrowth.names import parse_package, parse_repo

OWNER_RULE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
REPO_RULE = re.compile(r"[A-Za-z0-9._-]{1,100}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vitejs/vite", RepoName("vitejs", "vite")),
        ("  vitejs/vite  ", RepoName("vitejs", "vite")),
        ("https://github.com/vitejs/vite", RepoName("vitejs", "vite")),
        ("https://github.com/vitejs/vite/", RepoName("vitejs", "vite")),
        ("https://github.com/vitejs/vite.git", RepoName("vitejs", "vite")),
        ("http://www.github.com/vitejs/vite/tree/main/docs", RepoName("vitejs", "vite")),
        ("a/b", RepoName("a", "b")),
        ("my-org/.github", RepoName("my-org", ".github")),
        ("x/..x", RepoName("x", "..x")),
        ("a" * 39 + "/" + "b" * 100, RepoName("a" * 39, "b" * 100)),
    ],
)
def test_valid_repositories_are_accepted_and_normalised(text: str, expected: RepoName) -> None:
    assert parse_repo(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not-a-repo", "owner/name"),
        ("a/b/c", "owner/name"),
        ("/b", "owner/name"),
        ("a/", "owner/name"),
        ("has space/repo", "account name"),
        ("owner/has space", "repository name"),
        ("owner/..", "repository name"),
        ("owner/.", "repository name"),
        ("-owner/repo", "account name"),
        ("owner-/repo", "account name"),
        ("ow--ner/repo", "account name"),
        ("owner%2Frepo", "owner/name"),
        ("owner/re%20po", "repository name"),
        ("owner/repo\x00", "control characters"),
        ("owner/re\npo", "control characters"),
        ("a" * 40 + "/b", "longer than GitHub's 39"),
        ("a/" + "b" * 101, "longer than GitHub's 100"),
        ("x" * 1000, "too long"),
        ("https://gitlab.com/a/b", "only github.com"),
        ("https://github.com/onlyowner", "does not name a repository"),
        ("ftp://github.com/a/b", "only github.com"),
        ("ówner/repo", "account name"),
    ],
)
def test_invalid_repositories_are_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        parse_repo(text)


@given(st.text(max_size=200))
def test_any_text_is_either_a_valid_repository_or_a_clear_error(text: str) -> None:
    try:
        repo = parse_repo(text)
    except InputError as error:
        message = str(error)
        assert message and "\n" not in message and len(message) < 400
        return
    assert OWNER_RULE.fullmatch(repo.owner)
    assert REPO_RULE.fullmatch(repo.name) and repo.name not in {".", ".."}


@given(
    st.from_regex(OWNER_RULE, fullmatch=True),
    st.from_regex(REPO_RULE, fullmatch=True).filter(
        lambda name: name not in {".", ".."} and not name.endswith(".git")
    ),
)
def test_every_name_github_allows_is_accepted(owner: str, name: str) -> None:
    assert parse_repo(f"{owner}/{name}") == RepoName(owner, name)


@pytest.mark.parametrize(
    ("text", "ecosystem", "expected"),
    [
        ("npm:react", None, PackageRef(Ecosystem.NPM, "react")),
        ("npm:@types/node", None, PackageRef(Ecosystem.NPM, "@types/node")),
        ("JSONStream", Ecosystem.NPM, PackageRef(Ecosystem.NPM, "JSONStream")),
        ("lodash.merge", Ecosystem.NPM, PackageRef(Ecosystem.NPM, "lodash.merge")),
        ("pypi:Django", None, PackageRef(Ecosystem.PYPI, "django")),
        ("PYPI:zope.interface", None, PackageRef(Ecosystem.PYPI, "zope-interface")),
        ("Typing_Extensions", Ecosystem.PYPI, PackageRef(Ecosystem.PYPI, "typing-extensions")),
    ],
)
def test_valid_packages_are_accepted(
    text: str, ecosystem: Ecosystem | None, expected: PackageRef
) -> None:
    assert parse_package(text, ecosystem) == expected


@pytest.mark.parametrize(
    ("text", "ecosystem", "message"),
    [
        ("react", None, "npm:NAME or pypi:NAME"),
        ("cargo:serde", None, "unknown package registry"),
        ("npm:", None, "empty"),
        (".hidden", Ecosystem.NPM, "not an npm package name"),
        ("_private", Ecosystem.NPM, "not an npm package name"),
        ("has space", Ecosystem.NPM, "not an npm package name"),
        ("@scope", Ecosystem.NPM, "not an npm package name"),
        ("@scope/", Ecosystem.NPM, "not an npm package name"),
        ("a%2Fb", Ecosystem.NPM, "not an npm package name"),
        ("node_modules", Ecosystem.NPM, "not an npm package name"),
        ("x" * 215, Ecosystem.NPM, "longer than 214"),
        ("-leading", Ecosystem.PYPI, "not a PyPI project name"),
        ("trailing.", Ecosystem.PYPI, "not a PyPI project name"),
        ("has space", Ecosystem.PYPI, "not a PyPI project name"),
        ("ünicode", Ecosystem.PYPI, "not a PyPI project name"),
        ("bad\x07bell", Ecosystem.PYPI, "control characters"),
    ],
)
def test_invalid_packages_are_refused_with_a_clear_message(
    text: str, ecosystem: Ecosystem | None, message: str
) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        parse_package(text, ecosystem)


@given(st.text(max_size=300), st.sampled_from(list(Ecosystem)))
def test_any_package_text_is_either_valid_or_a_clear_error(text: str, ecosystem: Ecosystem) -> None:
    try:
        package = parse_package(text, ecosystem)
    except InputError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert 0 < len(package.name) <= 214
    if ecosystem is Ecosystem.PYPI:
        assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", package.name)
    else:
        assert re.fullmatch(
            r"(?:@[A-Za-z0-9\-~!'()*][A-Za-z0-9\-._~!'()*]*/)?[A-Za-z0-9\-~!'()*][A-Za-z0-9\-._~!'()*]*",
            package.name,
        )
