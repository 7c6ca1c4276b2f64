"""JSON bodies of the simulated GitHub REST API, shaped like the 2026 recordings.

Keys, key order and value types follow ``tests/fixtures/github/``: the 2026 repository and
404 recordings, octokit's issue pages and PyGithub's pull requests. API URLs point at the
simulator's own origin so that a client following ``url`` fields stays in the simulation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ossgrowth.simulator.entities import SimIssue, SimRepo
from ossgrowth.simulator.identifiers import (
    issue_node_id,
    login_for,
    pull_request_node_id,
    user_node_id,
)

__all__ = [
    "DOCS",
    "error_body",
    "issue_body",
    "pull_body",
    "repo_body",
    "repository_size_kb",
    "timestamp",
    "user_body",
]

WEB = "https://github.com"
DOCS = "https://docs.github.com"
JSON = dict[str, Any]


def timestamp(moment: datetime | None) -> str | None:
    """GitHub's timestamp form, ``2026-09-11T15:14:07Z``."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def error_body(message: str, documentation_url: str, status: int) -> JSON:
    """The 2026 error shape: ``{message, documentation_url, status}`` (status as a string)."""
    return {"message": message, "documentation_url": documentation_url, "status": str(status)}


def user_body(base: str, user_id: int, login: str | None = None, kind: str = "User") -> JSON:
    """A simple-user object."""
    login = login or login_for(user_id)
    user_url = f"{base}/users/{login}"
    return {
        "login": login,
        "id": user_id,
        "node_id": user_node_id(user_id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
        "gravatar_id": "",
        "url": user_url,
        "html_url": f"{WEB}/{login}",
        "followers_url": f"{user_url}/followers",
        "following_url": f"{user_url}/following{{/other_user}}",
        "gists_url": f"{user_url}/gists{{/gist_id}}",
        "starred_url": f"{user_url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{user_url}/subscriptions",
        "organizations_url": f"{user_url}/orgs",
        "repos_url": f"{user_url}/repos",
        "events_url": f"{user_url}/events{{/privacy}}",
        "received_events_url": f"{user_url}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


_REPO_URL_TEMPLATES = (
    ("forks_url", "/forks"), ("keys_url", "/keys{/key_id}"),
    ("collaborators_url", "/collaborators{/collaborator}"), ("teams_url", "/teams"),
    ("hooks_url", "/hooks"), ("issue_events_url", "/issues/events{/number}"),
    ("events_url", "/events"), ("assignees_url", "/assignees{/user}"),
    ("branches_url", "/branches{/branch}"), ("tags_url", "/tags"),
    ("blobs_url", "/git/blobs{/sha}"), ("git_tags_url", "/git/tags{/sha}"),
    ("git_refs_url", "/git/refs{/sha}"), ("trees_url", "/git/trees{/sha}"),
    ("statuses_url", "/statuses/{sha}"), ("languages_url", "/languages"),
    ("stargazers_url", "/stargazers"), ("contributors_url", "/contributors"),
    ("subscribers_url", "/subscribers"), ("subscription_url", "/subscription"),
    ("commits_url", "/commits{/sha}"), ("git_commits_url", "/git/commits{/sha}"),
    ("comments_url", "/comments{/number}"), ("issue_comment_url", "/issues/comments{/number}"),
    ("contents_url", "/contents/{+path}"), ("compare_url", "/compare/{base}...{head}"),
    ("merges_url", "/merges"), ("archive_url", "/{archive_format}{/ref}"),
    ("downloads_url", "/downloads"), ("issues_url", "/issues{/number}"),
    ("pulls_url", "/pulls{/number}"), ("milestones_url", "/milestones{/number}"),
    ("notifications_url", "/notifications{?since,all,participating}"),
    ("labels_url", "/labels{/name}"), ("releases_url", "/releases{/id}"),
    ("deployments_url", "/deployments"),
)  # fmt: skip


def repository_size_kb(database_id: int) -> int:
    """A repository's ``size`` (kilobytes), made up from its id."""
    return 800 + database_id % 50_000


def repo_body(
    base: str,
    repo: SimRepo,
    *,
    stars: int,
    open_items: int,
    forks: int,
    watchers: int,
    updated_at: datetime,
) -> JSON:
    """The full repository object as ``GET /repos/{owner}/{repo}`` answered in 2026.

    As on GitHub, ``watchers_count`` and ``watchers`` are the star count (a name kept from
    before stars and watching were split); the people watching are ``subscribers_count``.
    ``forks_count``, ``forks`` and ``network_count`` are all the forks (the simulator has no
    forks of forks).
    """
    url = f"{base}/repos/{repo.full_name}"
    html_url = f"{WEB}/{repo.full_name}"
    body: JSON = {
        "id": repo.database_id,
        "node_id": repo.node_id,
        "name": repo.name,
        "full_name": repo.full_name,
        "private": False,
        "owner": user_body(base, repo.owner_id, repo.owner, "Organization"),
        "html_url": html_url,
        "description": repo.description,
        "fork": False,
        "url": url,
    }
    body.update({key: f"{url}{suffix}" for key, suffix in _REPO_URL_TEMPLATES})
    body.update(
        {
            "created_at": timestamp(repo.created_at),
            "updated_at": timestamp(updated_at),
            "pushed_at": timestamp(updated_at),
            "git_url": f"git://github.com/{repo.full_name}.git",
            "ssh_url": f"git@github.com:{repo.full_name}.git",
            "clone_url": f"{html_url}.git",
            "svn_url": html_url,
            "homepage": None,
            "size": repository_size_kb(repo.database_id),
            "stargazers_count": stars,
            "watchers_count": stars,
            "language": repo.language,
            "has_issues": True,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": forks,
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": open_items,
            "license": {
                "key": "mit",
                "name": "MIT License",
                "spdx_id": "MIT",
                "url": f"{base}/licenses/mit",
                "node_id": "MDc6TGljZW5zZTEz",
            },
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "has_pull_requests": True,
            "pull_request_creation_policy": "all",
            "topics": [],
            "visibility": "public",
            "forks": forks,
            "open_issues": open_items,
            "watchers": stars,
            "default_branch": "main",
            "temp_clone_token": "",
            "network_count": forks,
            "subscribers_count": watchers,
        }
    )
    return body


def issue_body(base: str, repo: SimRepo, item: SimIssue, at: datetime) -> JSON:
    """An entry of ``GET /repos/{owner}/{repo}/issues``; pull requests carry ``pull_request``."""
    url = f"{base}/repos/{repo.full_name}/issues/{item.number}"
    closed_at = item.closed_at_at(at)
    merged_at = item.merged_at_at(at)
    node_id = (
        pull_request_node_id(repo.database_id, item.database_id)
        if item.is_pull_request
        else issue_node_id(repo.database_id, item.database_id)
    )
    body: JSON = {
        "url": url,
        "repository_url": f"{base}/repos/{repo.full_name}",
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{WEB}/{repo.full_name}/{'pull' if item.is_pull_request else 'issues'}/"
        f"{item.number}",
        "id": item.database_id,
        "node_id": node_id,
        "number": item.number,
        "title": item.title,
        "user": user_body(base, item.author_id),
        "labels": [],
        "state": "open" if closed_at is None else "closed",
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": item.number % 7,
        "created_at": timestamp(item.created_at),
        "updated_at": timestamp(item.updated_at_at(at)),
        "closed_at": timestamp(closed_at),
        "author_association": "CONTRIBUTOR",
        "active_lock_reason": None,
        "body": None,
        "reactions": {
            "url": f"{url}/reactions",
            "total_count": 0,
            "+1": 0,
            "-1": 0,
            "laugh": 0,
            "hooray": 0,
            "confused": 0,
            "heart": 0,
            "rocket": 0,
            "eyes": 0,
        },
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": None,
        "state_reason": _state_reason(item, at, closed_at),
    }
    if item.is_pull_request:
        pull_url = f"{base}/repos/{repo.full_name}/pulls/{item.number}"
        web = f"{WEB}/{repo.full_name}/pull/{item.number}"
        body["draft"] = False
        body["pull_request"] = {
            "url": pull_url,
            "html_url": web,
            "diff_url": f"{web}.diff",
            "patch_url": f"{web}.patch",
            "merged_at": timestamp(merged_at),
        }
    return body


def _state_reason(item: SimIssue, at: datetime, closed_at: datetime | None) -> str | None:
    if item.is_pull_request:
        return None
    if closed_at is not None:
        return "completed"
    reopened = any(c.reopened_at is not None and c.reopened_at <= at for c in item.closures)
    return "reopened" if reopened else None


def pull_body(base: str, repo: SimRepo, item: SimIssue, at: datetime) -> JSON:
    """An entry of ``GET /repos/{owner}/{repo}/pulls``."""
    url = f"{base}/repos/{repo.full_name}/pulls/{item.number}"
    issue_url = f"{base}/repos/{repo.full_name}/issues/{item.number}"
    web = f"{WEB}/{repo.full_name}/pull/{item.number}"
    closed_at = item.closed_at_at(at)
    sha = f"{item.database_id:040x}"[-40:]
    branch = {
        "label": f"{repo.owner}:main",
        "ref": "main",
        "sha": sha,
        "user": user_body(base, repo.owner_id, repo.owner, "Organization"),
        "repo": None,
    }
    return {
        "url": url,
        "id": item.database_id,
        "node_id": pull_request_node_id(repo.database_id, item.database_id),
        "html_url": web,
        "diff_url": f"{web}.diff",
        "patch_url": f"{web}.patch",
        "issue_url": issue_url,
        "number": item.number,
        "state": "open" if closed_at is None else "closed",
        "locked": False,
        "title": item.title,
        "user": user_body(base, item.author_id),
        "body": None,
        "created_at": timestamp(item.created_at),
        "updated_at": timestamp(item.updated_at_at(at)),
        "closed_at": timestamp(closed_at),
        "merged_at": timestamp(item.merged_at_at(at)),
        "merge_commit_sha": sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [],
        "milestone": None,
        "draft": False,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{base}/repos/{repo.full_name}/pulls/comments{{/number}}",
        "comments_url": f"{issue_url}/comments",
        "statuses_url": f"{base}/repos/{repo.full_name}/statuses/{sha}",
        "head": {**branch, "label": f"{login_for(item.author_id)}:patch-{item.number}"},
        "base": branch,
        "_links": {
            "self": {"href": url},
            "html": {"href": web},
            "issue": {"href": issue_url},
            "comments": {"href": f"{issue_url}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{base}/repos/{repo.full_name}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"},
            "statuses": {"href": f"{base}/repos/{repo.full_name}/statuses/{sha}"},
        },
        "author_association": "CONTRIBUTOR",
        "auto_merge": None,
        "active_lock_reason": None,
    }
