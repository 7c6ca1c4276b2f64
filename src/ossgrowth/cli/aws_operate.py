"""``ossgrowth aws logs|schedules|scan|call|set-github-token|set-staging-password``.

The seed's debugging commands as one tool, each working on the stack of the global ``--env``
(``ossgrowth --env prod aws logs api``) in ``--region`` (else the AWS configuration's), or on
a local stand-in at ``--endpoint-url``. Each command calls one function of
``ossgrowth.aws`` (docs/aws.md, "Operating it on AWS"); AWS's errors are one ``Error:`` line.
Secrets are read from standard input or a hidden prompt, never from an argument, and never
printed: tokens are named by their last four characters.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
import typer
from pydantic import SecretStr

from ossgrowth.aws import names
from ossgrowth.aws.api_call import ApiRequest, call_api
from ossgrowth.aws.deployed_schedules import deployed_schedules
from ossgrowth.aws.deployment import Deployment
from ossgrowth.aws.log_events import LogFunction, LogLine, LogReader, parse_since, tail_log
from ossgrowth.aws.secret_writes import (
    MIN_PASSWORD_LENGTH,
    require_staging,
    set_github_token,
    set_staging_password,
)
from ossgrowth.aws.secrets import SecretCache
from ossgrowth.aws.table_scan import (
    ScanTable,
    cell_text,
    json_ready,
    open_scan_store,
    scan_store_url,
    scan_table,
)
from ossgrowth.cli.output import Column, local_time, print_rows
from ossgrowth.cli.state import state_of
from ossgrowth.clock import SystemClock
from ossgrowth.errors import InputError
from ossgrowth.names import parse_repo

__all__ = ["register"]

RegionOption = Annotated[
    str | None,
    typer.Option(
        help="AWS region of the stack. [default: AWS_REGION or the profile's]", show_default=False
    ),
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint-url",
        help="Send every AWS call here (a local stand-in such as moto's server). "
        "[env: OSSGROWTH_AWS_ENDPOINT_URL]",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app`` (the ``aws`` group)."""
    app.command("logs")(logs)
    app.command("schedules")(schedules)
    app.command("scan")(scan)
    app.command("call")(call)
    app.command("set-github-token")(github_token)
    app.command("set-staging-password")(staging_password)


def _deployment(context: typer.Context, region: str | None, endpoint: str | None) -> Deployment:
    return Deployment(state_of(context).settings().environment, region, endpoint)


def logs(
    context: typer.Context,
    function: Annotated[LogFunction, typer.Argument(help="Whose logs.")],
    since: Annotated[str, typer.Option(help="How far back: 90s, 15m, 1h, 2d, 1w.")] = "1h",
    pattern: Annotated[
        str | None,
        typer.Option(
            "--filter",
            help='A CloudWatch Logs filter pattern: words that must all appear, a "quoted '
            'phrase", or a JSON pattern such as { $.level = "ERROR" }.',
            show_default=False,
        ),
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new events until Ctrl-C.")
    ] = False,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
) -> None:
    """Print a function's CloudWatch logs: time (in the configured zone), level, message,
    run and request, a traceback below its line. backfills is the run-backfills function,
    deliveries the deliver-alerts function.

    Example: ossgrowth --env prod aws logs collect-stars --since 6h --filter ERROR
    """
    settings = state_of(context).settings()
    deployment = _deployment(context, region, endpoint_url)
    group = names.log_group_name(deployment.environment, function.function)
    reader = LogReader(deployment.client("logs"), group, pattern)
    zone = settings.zone
    shown = 0

    def emit(lines: Iterable[LogLine]) -> None:
        nonlocal shown
        for line in lines:
            typer.echo(line.render(zone))
            shown += 1

    try:
        tail_log(
            reader,
            since=parse_since(since),
            clock=SystemClock(),
            emit=emit,
            follow=follow,
            sleep=time.sleep,
        )
    except KeyboardInterrupt:  # how following ends
        return
    if not shown:
        typer.echo(f"no events in {group} in the last {since}", err=True)


_SCHEDULE_COLUMNS = (
    Column("schedule", "name"),
    Column("expression", "expression"),
    Column("zone", "timezone"),
    Column("state", "state"),
    Column("target", "target"),
    Column("job", "job"),
    Column("next runs", "next_runs"),
)


def schedules(
    context: typer.Context,
    count: Annotated[int, typer.Option(help="Next runs shown per schedule.", min=1)] = 3,
    as_json: JsonOption = False,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
) -> None:
    """List the environment's EventBridge Scheduler schedules: expression, time zone, state,
    target function and job, and the next runs in each schedule's own zone.

    Example: ossgrowth --env prod aws schedules --count 5
    """
    deployment = _deployment(context, region, endpoint_url)
    found = deployed_schedules(
        deployment.client("scheduler"), deployment.environment, SystemClock().now(), count
    )
    if not found and not as_json:
        typer.echo(f"no schedules named {deployment.stack_name}-… (is it deployed here?)")
        return
    rows: list[tuple[Any, ...]] = []
    shown: list[tuple[str, ...]] = []
    for item in found:
        rows.append(
            (
                item.name,
                item.expression,
                item.timezone,
                item.state,
                item.target,
                item.job,
                list(item.next_runs),
            )
        )
        zone = ZoneInfo(item.timezone) if item.next_runs else None
        runs = [local_time(run, zone) for run in item.next_runs] if zone else []
        shown.append(
            (
                item.name,
                item.expression,
                item.timezone,
                item.state,
                item.target,
                item.job or "—",
                ", ".join(runs) or (item.note or "—"),
            )
        )
    print_rows(
        _SCHEDULE_COLUMNS,
        rows,
        shown,
        title=f"Schedules of {deployment.stack_name}",
        as_json=as_json,
    )


def scan(
    context: typer.Context,
    table: Annotated[ScanTable, typer.Argument(help="The table (runs: the runs, newest first).")],
    repo: Annotated[
        str | None,
        typer.Option(help="Only this repository's items (point tables, repositories, rollups)."),
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many items.", min=1)] = 100,
    table_prefix: Annotated[
        str | None,
        typer.Option(
            help="Before every table name. [default: the DynamoDB store URL's, else none]",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
) -> None:
    """Print the items of one of the environment's DynamoDB tables as they are stored.

    The tables are those of --store-url when it is a dynamodb:// URL (its region, endpoint
    and prefix, each replaced by the option given), else ENV-… in --region. A point table
    narrowed to --repo is read newest first.

    Example: ossgrowth --env prod aws scan star-growth --repo vitejs/vite --limit 10
    """
    state = state_of(context)
    settings = state.settings()
    name = None if repo is None else parse_repo(repo)
    url = scan_store_url(
        settings.store_url, region=region, endpoint=endpoint_url, table_prefix=table_prefix
    )
    store = open_scan_store(url, settings.environment.value)
    try:
        result = scan_table(store, table, repo=name, limit=limit)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(json_ready(result.items), ensure_ascii=False, indent=2))
    elif not result.items:
        typer.echo(f"no items in {result.table}", err=True)
    else:
        others = sorted({key for item in result.items for key in item} - set(result.keys))
        attributes = [*result.keys, *others]
        columns = [Column(attribute, attribute) for attribute in attributes]
        rows = [tuple(item.get(key) for key in attributes) for item in result.items]
        shown = [
            tuple(cell_text(item.get(key), key in item) for key in attributes)
            for item in result.items
        ]
        print_rows(columns, rows, shown, title=result.table, as_json=False)
    if result.more:
        typer.echo(
            f"showing the first {limit} items of {result.table}; more with --limit", err=True
        )


def call(
    context: typer.Context,
    path: Annotated[str, typer.Argument(help="Path and query from the API's root.")],
    method: Annotated[str, typer.Option("--method", "-X", help="HTTP method.")] = "GET",
    data: Annotated[
        str | None,
        typer.Option(
            "--data", "-d", help="A JSON body (- reads it from standard input).", show_default=False
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            help="The API's address. [default: the stack's Url output]", show_default=False
        ),
    ] = None,
    api_gateway: Annotated[
        bool,
        typer.Option(
            "--api-gateway", help="Call API Gateway's address (the ApiEndpoint output) instead."
        ),
    ] = False,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
) -> None:
    """Call the deployed API; print the status on stderr and the body on stdout.

    Changes (any method but GET, HEAD, OPTIONS) and /api/v1/admin/… carry the admin token
    from the API secret; other calls on staging carry the staging user and password from it.
    Exits 1 when the API answers 4xx or 5xx.

    Example: ossgrowth --env staging aws call /api/v1/repos -X POST -d '{"repo": "a/b"}'
    """
    settings = state_of(context).settings()
    deployment = _deployment(context, region, endpoint_url)
    if data == "-":
        data = sys.stdin.read()
    secrets = SecretCache(client_factory=lambda: deployment.client("secretsmanager"))
    request = ApiRequest(method, path, data, url, api_gateway, settings.staging_user)
    with httpx.Client() as client:
        answer = call_api(
            request,
            deployment.environment,
            client=client,
            outputs=deployment.stack_outputs,
            api_secrets=secrets.api_secrets,
        )
    typer.echo(f"{answer.status} {answer.reason} ({answer.url})", err=True)
    if answer.body:
        typer.echo(answer.shown_body())
    if not answer.ok:
        raise typer.Exit(1)


def github_token(
    context: typer.Context,
    append: Annotated[
        bool, typer.Option("--append", help="Add the token to the pool instead of replacing it.")
    ] = False,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
) -> None:
    """Put a GitHub token in the environment's secret (ossgrowth/ENV/github-token), read
    from standard input or a hidden prompt.

    Example: printf '%s' "$GITHUB_TOKEN" | ossgrowth --env prod aws set-github-token --append
    """
    deployment = _deployment(context, region, endpoint_url)
    token = _secret_input("GitHub token", confirm=False)
    pool = set_github_token(deployment, token, append=append)
    if not pool.added:
        typer.echo(f"that token is in {pool.secret_id} already; nothing written")
        return
    typer.echo(
        f"{pool.secret_id} holds {len(pool.hints)} token(s): {', '.join(pool.hints)}; "
        "the functions use it within 15 minutes"
    )


def staging_password(
    context: typer.Context,
    user: Annotated[
        str | None,
        typer.Option(
            help="The HTTP Basic user. [default: OSSGROWTH_STAGING_USER, ossgrowth]",
            show_default=False,
        ),
    ] = None,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
) -> None:
    """Set staging's password: its hash in CloudFront's KeyValueStore and the password in
    the API secret (ossgrowth/staging/api), read from standard input or a hidden prompt
    (asked twice).

    Example: ossgrowth --env staging aws set-staging-password
    """
    settings = state_of(context).settings()
    deployment = _deployment(context, region, endpoint_url)
    require_staging(deployment.environment)
    password = _secret_input(
        f"Staging password (at least {MIN_PASSWORD_LENGTH} characters)", confirm=True
    )
    done = set_staging_password(deployment, user or settings.staging_user, password)
    typer.echo(
        f"staging's password is set for user {done.user}: CloudFront's KeyValueStore "
        f"({names.CREDENTIALS_KEY}) and secret {done.secret_id}"
    )
    typer.echo(
        "CloudFront asks for it within seconds; the API, which keeps its secret up to "
        "15 minutes, within a quarter of an hour"
    )


def _secret_input(label: str, *, confirm: bool) -> SecretStr:
    """A secret from standard input (its first line) when it is not a terminal, else from a
    hidden prompt (twice with ``confirm``).

    Raises:
        InputError: nothing was given.
    """
    if sys.stdin.isatty():
        text = str(typer.prompt(label, hide_input=True, confirmation_prompt=confirm))
    else:
        lines = sys.stdin.read().splitlines()
        text = lines[0] if lines else ""
    if not text.strip():
        raise InputError(f"no {label.split(' (')[0].lower()} given (standard input was empty)")
    return SecretStr(text)
