"""The store contract for collections of repositories, run against every backend (the
backends of :mod:`tests.contracts.test_store_contract`: SQLite, PostgreSQL, DynamoDB)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ossgrowth.errors import InputError, UnknownName
from ossgrowth.model import Collection, RepoName
from tests.contracts import test_store_contract as contract

make_store = contract.make_store
"""The backends' fixture, shared with the main contract module."""
AnyStore = contract.AnyStore
T0 = contract.T0
REPO, OTHER = contract.REPO, contract.OTHER
THIRD = RepoName("Acme", "Rockets")


@pytest.fixture
def store(make_store: contract.StoreFactory) -> AnyStore:
    """Three tracked repositories, no collection."""
    store = make_store()
    store.add_subject(REPO, [contract.NPM], added_at=T0)
    store.add_subject(OTHER, [], added_at=T0)
    store.add_subject(THIRD, [], added_at=T0)
    return store


def test_a_new_collection_is_empty_and_read_back_whole(store: AnyStore) -> None:
    made = store.create_collection(
        "frontend", name="Front end", description="Build tools", created_at=T0
    )
    assert made == Collection("frontend", "Front end", "Build tools", (), T0)
    assert store.get_collection("frontend") == made
    assert store.list_collections() == [made]


def test_slugs_are_case_insensitive_and_kept_in_lower_case(store: AnyStore) -> None:
    made = store.create_collection("Front-End-2", name="F", created_at=T0)
    assert made.slug == "front-end-2"
    assert store.get_collection("FRONT-end-2") == made
    with pytest.raises(InputError, match="already"):
        store.create_collection("front-end-2", name="again", created_at=T0)
    assert store.delete_collection("FRONT-END-2") is True
    assert store.get_collection("front-end-2") is None


@pytest.mark.parametrize(
    ("slug", "name", "description", "message"),
    [
        ("", "n", "", "slug is 1 to 64"),
        ("has space", "n", "", "slug is 1 to 64"),
        ("a/b", "n", "", "slug is 1 to 64"),
        ("..", "n", "", "slug is 1 to 64"),
        ("caf\u00e9", "n", "", "slug is 1 to 64"),
        ("\u212a", "n", "", "slug is 1 to 64"),  # the Kelvin sign lower-cases to "k"
        ("a" * 65, "n", "", "at most 64"),
        ("ok", "", "", "needs a name"),
        ("ok", "   ", "", "needs a name"),
        ("ok", "x" * 201, "", "at most 200"),
        ("ok", "line\nbreak", "", "no control characters"),
        ("ok", "evil\u202eoverride", "", "no control characters"),
        ("ok", "n", "d" * 2001, "at most 2000"),
        ("ok", "n", "bell\x07", "no control characters"),
    ],
)
def test_bad_slugs_names_and_descriptions_are_refused(
    store: AnyStore, slug: str, name: str, description: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        store.create_collection(slug, name=name, description=description, created_at=T0)
    assert store.list_collections() == []


def test_names_keep_any_text_and_are_trimmed(store: AnyStore) -> None:
    name = "  Ünïcödé 字 👩\u200d💻 " + "x" * 150
    made = store.create_collection(
        "u", name=name, description="line one\r\nline two\t.", created_at=T0
    )
    assert made.name == name.strip()
    assert made.description == "line one\nline two\t."
    assert store.get_collection("u") == made
    longest = store.create_collection(
        "b" * 64, name="n" * 200, description="d" * 2000, created_at=T0
    )
    assert store.get_collection("b" * 64) == longest


def test_renaming_and_describing_keep_what_is_not_given(store: AnyStore) -> None:
    store.create_collection("tools", name="Tools", description="old", created_at=T0)
    store.add_collection_members("tools", [REPO])
    renamed = store.update_collection("TOOLS", name="Build tools")
    assert (renamed.name, renamed.description, renamed.members) == ("Build tools", "old", (REPO,))
    described = store.update_collection("tools", description="")
    assert (described.name, described.description) == ("Build tools", "")
    assert store.update_collection("tools") == described
    assert store.get_collection("tools") == described
    with pytest.raises(InputError, match="at most 200"):
        store.update_collection("tools", name="x" * 201)


def test_an_unknown_collection_is_an_unknown_name(store: AnyStore) -> None:
    assert store.get_collection("nothing") is None
    assert store.delete_collection("nothing") is False
    for change in (
        lambda: store.update_collection("nothing", name="n"),
        lambda: store.update_collection("nothing"),
        lambda: store.add_collection_members("nothing", [REPO]),
        lambda: store.remove_collection_members("nothing", [REPO]),
    ):
        with pytest.raises(UnknownName, match="no collection 'nothing'"):
            change()


def test_members_are_added_once_by_name_and_removed(store: AnyStore) -> None:
    store.create_collection("tools", name="Tools", created_at=T0)
    added = store.add_collection_members("tools", [OTHER, RepoName("OCTO", "Widgets"), OTHER])
    assert added.members == (OTHER, REPO)  # by name, with the case they are tracked under
    again = store.add_collection_members("tools", [REPO, THIRD])
    assert again.members == (THIRD, OTHER, REPO)
    assert store.add_collection_members("tools", []) == again
    removed = store.remove_collection_members("tools", [RepoName("octo", "GADGETS")])
    assert removed.members == (THIRD, REPO)
    assert store.remove_collection_members("tools", [OTHER, RepoName("no", "body")]) == removed
    assert store.get_collection("tools") == removed
    assert store.get_subject(OTHER) is not None  # leaving a collection is not untracking


def test_a_repository_may_be_in_several_collections(store: AnyStore) -> None:
    for slug in ("b", "a", "c"):
        store.create_collection(slug, name=slug.upper(), created_at=T0 + timedelta(days=1))
    store.add_collection_members("a", [REPO, OTHER])
    store.add_collection_members("b", [REPO])
    listed = store.list_collections()
    assert [(c.slug, c.members) for c in listed] == [
        ("a", (OTHER, REPO)),
        ("b", (REPO,)),
        ("c", ()),
    ]
    assert {c.created_at for c in listed} == {T0 + timedelta(days=1)}
    store.remove_collection_members("a", [REPO])
    assert store.get_collection("b").members == (REPO,)


def test_an_untracked_repository_cannot_join_and_nothing_is_added(store: AnyStore) -> None:
    store.create_collection("tools", name="Tools", created_at=T0)
    stranger = RepoName("no", "body")
    with pytest.raises(InputError, match="no/body is not tracked") as refused:
        store.add_collection_members("tools", [REPO, stranger, RepoName("also", "missing")])
    assert not isinstance(refused.value, UnknownName)
    assert store.get_collection("tools").members == ()


def test_untracking_a_repository_takes_it_out_of_its_collections(store: AnyStore) -> None:
    store.create_collection("a", name="A", created_at=T0)
    store.create_collection("b", name="B", created_at=T0)
    store.add_collection_members("a", [REPO, OTHER])
    store.add_collection_members("b", [REPO])
    assert store.remove_subject(REPO) is True
    assert [(c.slug, c.members) for c in store.list_collections()] == [("a", (OTHER,)), ("b", ())]
    store.add_subject(REPO, [], added_at=T0)  # tracked again: a new subject, in no collection
    assert store.get_collection("b").members == ()


def test_a_renamed_repository_stays_in_its_collections(store: AnyStore) -> None:
    store.create_collection("a", name="A", created_at=T0)
    store.add_collection_members("a", [REPO, OTHER])
    renamed = RepoName("octo", "widgets-next")
    store.set_identity(REPO, node_id="R_1", current=renamed)
    assert store.get_collection("a").members == (OTHER, renamed)
    assert store.list_collections()[0].members == (OTHER, renamed)
    assert store.remove_collection_members("a", [renamed]).members == (OTHER,)


def test_deleting_a_collection_keeps_its_members_tracked(store: AnyStore) -> None:
    store.create_collection("a", name="A", created_at=T0)
    store.add_collection_members("a", [REPO])
    assert store.delete_collection("a") is True
    assert store.delete_collection("a") is False
    assert store.list_collections() == []
    assert store.get_subject(REPO) is not None
    recreated = store.create_collection("a", name="A again", created_at=T0)
    assert recreated.members == ()  # none of the deleted one's members come back


def test_deleting_everything_empties_collections_and_members(store: AnyStore) -> None:
    store.create_collection("a", name="A", created_at=T0)
    store.create_collection("b", name="B", created_at=T0)
    store.add_collection_members("a", [REPO, OTHER])
    store.add_collection_members("b", [REPO])
    deleted = store.delete_all()
    assert deleted["collections"] == 2 and deleted["collection_members"] == 3
    assert store.list_collections() == []
    store.add_subject(REPO, [], added_at=T0)
    assert store.create_collection("a", name="A", created_at=T0).members == ()
