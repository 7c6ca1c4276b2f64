"""The subset of GitHub's GraphQL schema the simulator serves, copied from the published SDL.

Types, fields, arguments and nullability are GitHub's (octokit/graphql-schema, 2026-07), cut
down to what ossgrowth asks: repositories, issue and pull-request connections, stargazers,
forks, watchers, ``nodes``/``node`` and ``rateLimit``. A query that is valid here is valid
against GitHub.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema, build_schema

from ossgrowth.simulator import graphql_resolvers as resolvers

__all__ = ["GITHUB_SDL", "build_github_schema"]

GITHUB_SDL = """
scalar DateTime
scalar URI

interface Node {
  id: ID!
}

interface RepositoryOwner {
  id: ID!
  login: String!
  url: URI!
}

enum OrderDirection {
  ASC
  DESC
}

enum IssueState {
  CLOSED
  OPEN
}

enum IssueStateReason {
  COMPLETED
  DUPLICATE
  NOT_PLANNED
  REOPENED
}

enum PullRequestState {
  CLOSED
  MERGED
  OPEN
}

enum IssueOrderField {
  COMMENTS
  CREATED_AT
  UPDATED_AT
}

input IssueOrder {
  direction: OrderDirection!
  field: IssueOrderField!
}

input IssueFilters {
  assignee: String
  createdBy: String
  labels: [String!]
  mentioned: String
  milestone: String
  milestoneNumber: String
  since: DateTime
  states: [IssueState!]
  viewerSubscribed: Boolean = false
}

enum StarOrderField {
  STARRED_AT
}

input StarOrder {
  direction: OrderDirection!
  field: StarOrderField!
}

enum RepositoryAffiliation {
  COLLABORATOR
  ORGANIZATION_MEMBER
  OWNER
}

enum RepositoryPrivacy {
  PRIVATE
  PUBLIC
}

enum RepositoryVisibility {
  INTERNAL
  PRIVATE
  PUBLIC
}

enum RepositoryOrderField {
  CREATED_AT
  NAME
  PUSHED_AT
  STARGAZERS
  UPDATED_AT
}

input RepositoryOrder {
  direction: OrderDirection!
  field: RepositoryOrderField!
}

type PageInfo {
  endCursor: String
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
}

type RateLimit {
  cost: Int!
  limit: Int!
  nodeCount: Int!
  remaining: Int!
  resetAt: DateTime!
  used: Int!
}

type Language implements Node {
  color: String
  id: ID!
  name: String!
}

type User implements Node & RepositoryOwner {
  createdAt: DateTime!
  databaseId: Int
  id: ID!
  login: String!
  url: URI!
}

type Organization implements Node & RepositoryOwner {
  createdAt: DateTime!
  databaseId: Int
  id: ID!
  login: String!
  url: URI!
}

type Issue implements Node {
  closed: Boolean!
  closedAt: DateTime
  createdAt: DateTime!
  databaseId: Int
  id: ID!
  number: Int!
  repository: Repository!
  state: IssueState!
  stateReason(enableDuplicate: Boolean = false): IssueStateReason
  title: String!
  updatedAt: DateTime!
  url: URI!
}

type IssueEdge {
  cursor: String!
  node: Issue
}

type IssueConnection {
  edges: [IssueEdge]
  nodes: [Issue]
  pageInfo: PageInfo!
  totalCount: Int!
}

type PullRequest implements Node {
  closed: Boolean!
  closedAt: DateTime
  createdAt: DateTime!
  databaseId: Int
  id: ID!
  merged: Boolean!
  mergedAt: DateTime
  number: Int!
  repository: Repository!
  state: PullRequestState!
  title: String!
  updatedAt: DateTime!
  url: URI!
}

type PullRequestEdge {
  cursor: String!
  node: PullRequest
}

type PullRequestConnection {
  edges: [PullRequestEdge]
  nodes: [PullRequest]
  pageInfo: PageInfo!
  totalCount: Int!
}

type StargazerEdge {
  cursor: String!
  node: User!
  starredAt: DateTime!
}

type StargazerConnection {
  edges: [StargazerEdge]
  nodes: [User]
  pageInfo: PageInfo!
  totalCount: Int!
}

type UserEdge {
  cursor: String!
  node: User
}

type UserConnection {
  edges: [UserEdge]
  nodes: [User]
  pageInfo: PageInfo!
  totalCount: Int!
}

type RepositoryEdge {
  cursor: String!
  node: Repository
}

type RepositoryConnection {
  edges: [RepositoryEdge]
  nodes: [Repository]
  pageInfo: PageInfo!
  totalCount: Int!
  totalDiskUsage: Int!
}

type Repository implements Node {
  createdAt: DateTime!
  databaseId: Int
  forkCount: Int!
  forks(
    affiliations: [RepositoryAffiliation]
    after: String
    before: String
    first: Int
    hasIssuesEnabled: Boolean
    isLocked: Boolean
    last: Int
    orderBy: RepositoryOrder
    ownerAffiliations: [RepositoryAffiliation] = [OWNER, COLLABORATOR]
    privacy: RepositoryPrivacy
    visibility: RepositoryVisibility
  ): RepositoryConnection!
  id: ID!
  isArchived: Boolean!
  isFork: Boolean!
  issues(
    after: String
    before: String
    filterBy: IssueFilters
    first: Int
    labels: [String!]
    last: Int
    orderBy: IssueOrder
    states: [IssueState!]
  ): IssueConnection!
  name: String!
  nameWithOwner: String!
  owner: RepositoryOwner!
  primaryLanguage: Language
  pullRequests(
    after: String
    baseRefName: String
    before: String
    first: Int
    headRefName: String
    labels: [String!]
    last: Int
    orderBy: IssueOrder
    states: [PullRequestState!]
  ): PullRequestConnection!
  pushedAt: DateTime
  stargazerCount: Int!
  stargazers(
    after: String
    before: String
    first: Int
    last: Int
    orderBy: StarOrder
  ): StargazerConnection!
  updatedAt: DateTime!
  url: URI!
  watchers(after: String, before: String, first: Int, last: Int): UserConnection!
}

type Query {
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  rateLimit(dryRun: Boolean = false): RateLimit
  repository(followRenames: Boolean = true, name: String!, owner: String!): Repository
}
"""


def build_github_schema() -> GraphQLSchema:
    """The executable schema: the SDL above with the simulator's resolvers bound."""
    schema = build_schema(GITHUB_SDL)
    for type_name, fields in resolvers.RESOLVERS.items():
        graphql_type: Any = schema.get_type(type_name)
        for field_name, resolve in fields.items():
            graphql_type.fields[field_name].resolve = resolve
    for abstract in ("Node", "RepositoryOwner"):
        interface: Any = schema.get_type(abstract)
        interface.resolve_type = resolvers.type_name_of
    return schema
