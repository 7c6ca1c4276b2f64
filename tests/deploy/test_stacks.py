"""The CDK stacks, read from their synthesized templates: each environment's tables, functions,
roles, schedules, HTTP API, CloudFront distribution and alarms, as docs/aws.md describes them.

The stacks are built once (``synthesized`` in conftest.py, tens of seconds of aws-cdk-lib in
Node.js), hence slow; the extra app below, one stack without an artifact, adds a few more.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Annotations, Match, Template

from ossgrowth.collect.slots import SCHEDULES as SEED_SCHEDULES
from ossgrowth.store.dynamo_tables import TableNames
from ossgrowth_stack.config import DeploymentConfig
from ossgrowth_stack.edge import API_PATH_PATTERNS
from ossgrowth_stack.stack import OssgrowthStack
from ossgrowth_stack.staging_gate import CREDENTIALS_KEY
from tests.deploy.conftest import ACCOUNT, REGION, Synthesized, synthesize

pytestmark = pytest.mark.slow  # one synthesis of the three stacks takes 15-30 s

ENVIRONMENTS = ("dev", "staging", "prod")
SCHEDULED = (
    "collect-stars",
    "collect-activity",
    "collect-downloads",
    "run-backfills",
    "deliver-alerts",
)
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
"""The id of CloudFront's managed origin request policy of that name."""
CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$")
WEEKDAYS = {"MON": 0, "TUE": 1, "WED": 2, "THU": 3, "FRI": 4, "SAT": 5, "SUN": 6}


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def properties(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [resource["Properties"] for resource in resources(template, kind).values()]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def function_id(template: dict[str, Any], environment: str, name: str) -> str:
    """The logical id of the function named ``ossgrowth-{environment}-{name}``."""
    (logical_id,) = [
        logical_id
        for logical_id, resource in resources(template, "AWS::Lambda::Function").items()
        if resource["Properties"].get("FunctionName") == f"ossgrowth-{environment}-{name}"
    ]
    return logical_id


def role_statements(template: dict[str, Any], role_id: str) -> list[dict[str, Any]]:
    """Every statement of the policies attached to the role ``role_id``."""
    found = []
    for policy in properties(template, "AWS::IAM::Policy"):
        if {"Ref": role_id} in policy["Roles"]:
            found.extend(policy["PolicyDocument"]["Statement"])
    return found


def function_statements(template: dict[str, Any], environment: str, name: str) -> list[Any]:
    function = template["Resources"][function_id(template, environment, name)]
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return role_statements(template, role_id)


def iam_statements(template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every statement that grants something to an identity in ``template``."""
    for policy in properties(template, "AWS::IAM::Policy"):
        yield from policy["PolicyDocument"]["Statement"]
    for role in properties(template, "AWS::IAM::Role"):
        for inline in role.get("Policies", []):
            yield from inline["PolicyDocument"]["Statement"]


def table_ids(template: dict[str, Any]) -> set[str]:
    return set(resources(template, "AWS::DynamoDB::Table"))


def schedule_by_job(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        json.loads(schedule["Target"]["Input"])["job"]: schedule
        for schedule in properties(template, "AWS::Scheduler::Schedule")
    }


def local_times(expression: str) -> tuple[tuple[time, ...], frozenset[int] | None]:
    """The wall-clock times and weekdays (Monday 0) of a Scheduler cron expression."""
    matched = CRON.match(expression)
    assert matched, expression
    minutes, hours, day, month, week_day, year = matched.groups()
    assert (day, month, year) in (("*", "*", "*"), ("?", "*", "*")), expression
    times = tuple(
        sorted(time(int(hour), int(minute)) for hour in hours.split(",") for minute in [minutes])
    )
    weekdays = None if week_day == "?" else frozenset(WEEKDAYS[d] for d in week_day.split(","))
    return times, weekdays


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a JSON document, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def test_the_app_has_one_stack_per_environment_in_the_configured_place(
    synthesized: Synthesized,
) -> None:
    manifest = json.loads((synthesized.outdir / "manifest.json").read_text())
    stacks = {
        name: artifact
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }
    assert sorted(stacks) == ["ossgrowth-dev", "ossgrowth-prod", "ossgrowth-staging"]
    for artifact in stacks.values():
        assert artifact["environment"] == f"aws://{ACCOUNT}/{REGION}"
    assert synthesized.stacks["prod"].termination_protection is True
    assert synthesized.stacks["staging"].termination_protection is False


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_tables_are_the_stores_tables_on_demand_with_point_in_time_recovery(
    synthesized: Synthesized, environment: str
) -> None:
    template = synthesized.templates[environment]
    tables = properties(template, "AWS::DynamoDB::Table")
    found = {}
    for table in tables:
        keys = {key["KeyType"]: key["AttributeName"] for key in table["KeySchema"]}
        found[table["TableName"]] = (keys["HASH"], keys.get("RANGE"))
        assert {a["AttributeType"] for a in table["AttributeDefinitions"]} == {"S"}
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert found == TableNames("", environment).all()
    assert found[f"{environment}-star-growth"] == ("repo", "timestamp")
    assert found[f"{environment}-repositories"] == ("repo", None)
    assert found[f"{environment}-operations"] == ("pk", "sk")


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_prods_tables_are_protected_from_deletion_and_kept(
    synthesized: Synthesized, environment: str
) -> None:
    tables = resources(synthesized.templates[environment], "AWS::DynamoDB::Table")
    assert len(tables) == 8  # the five point tables, repositories, rollups, operations
    for table in tables.values():
        protected = table["Properties"].get("DeletionProtectionEnabled", False)
        if environment == "prod":
            assert protected is True
            assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
        else:
            assert protected is False
            assert table["DeletionPolicy"] == "Delete"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_schedules_fire_at_the_seeds_local_times_in_the_configured_zone(
    synthesized: Synthesized, environment: str
) -> None:
    template = synthesized.templates[environment]
    schedules = schedule_by_job(template)
    assert set(schedules) == {schedule.name for schedule in SEED_SCHEDULES} | {
        "backfill",
        "alerts:deliver",
    }
    for seed in SEED_SCHEDULES:
        schedule = schedules[seed.name]
        assert schedule["ScheduleExpressionTimezone"] == "America/Los_Angeles"
        assert local_times(schedule["ScheduleExpression"]) == (seed.times, seed.weekdays)
    assert schedules["collect:stars"]["ScheduleExpression"] == (
        "cron(0 0,3,6,9,12,15,18,21 * * ? *)"
    )
    assert schedules["collect:downloads"]["ScheduleExpression"] == "cron(50 23 ? * SUN *)"
    assert schedules["backfill"]["ScheduleExpression"] == "rate(5 minutes)"
    assert schedules["alerts:deliver"]["ScheduleExpression"] == "rate(5 minutes)"
    targets = {
        "collect:stars": "collect-stars",
        "collect:prs+issues": "collect-activity",
        "collect:downloads": "collect-downloads",
        "backfill": "run-backfills",
        "alerts:deliver": "deliver-alerts",
    }
    for job, name in targets.items():
        schedule = schedules[job]
        assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
        assert schedule["State"] == "ENABLED"
        assert schedule["Name"] == f"ossgrowth-{environment}-{name}"
        target = schedule["Target"]
        assert target["Arn"] == {"Fn::GetAtt": [function_id(template, environment, name), "Arn"]}
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
        assert json.loads(target["Input"])["scheduled_time"] == "<aws.scheduler.scheduled-time>"


def test_the_schedules_role_may_only_invoke_the_scheduled_functions(
    synthesized: Synthesized,
) -> None:
    template = synthesized.templates["prod"]
    (role_arn,) = {
        json.dumps(schedule["Target"]["RoleArn"])
        for schedule in properties(template, "AWS::Scheduler::Schedule")
    }
    role_id = json.loads(role_arn)["Fn::GetAtt"][0]
    role = template["Resources"][role_id]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    invoked = set()
    for statement in role_statements(template, role_id):
        assert statement["Action"] == "lambda:InvokeFunction"
        for resource in statement["Resource"]:
            arn = resource.get("Fn::GetAtt") or resource["Fn::Join"][1][0]["Fn::GetAtt"]
            invoked.add(arn[0])
    assert invoked == {function_id(template, "prod", name) for name in SCHEDULED}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_statement_allows_every_action_or_a_table_action_on_every_resource(
    synthesized: Synthesized, environment: str
) -> None:
    template = synthesized.templates[environment]
    statements = list(iam_statements(template))
    assert statements
    for statement in statements:
        actions = as_list(statement["Action"])
        assert "*" not in actions and "dynamodb:*" not in actions, statement
        if any(action.startswith("dynamodb:") for action in actions):
            assert "*" not in as_list(statement["Resource"]), statement
    # a resource policy (the bucket's, the topic's) grants no table action either
    for key, value in walk(template):
        if key == "Action":
            assert not any(a.startswith("dynamodb:*") for a in as_list(value) if isinstance(a, str))


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("name", ["api", *SCHEDULED])
def test_each_function_reaches_only_its_environments_tables_and_its_one_secret(
    synthesized: Synthesized, environment: str, name: str
) -> None:
    template = synthesized.templates[environment]
    statements = function_statements(template, environment, name)
    table_statements = [s for s in statements if as_list(s["Action"])[0].startswith("dynamodb:")]
    (tables,) = table_statements
    assert "dynamodb:CreateTable" not in tables["Action"]
    assert "dynamodb:DeleteTable" not in tables["Action"]
    reached = {resource["Fn::GetAtt"][0] for resource in tables["Resource"]}
    assert reached == table_ids(template)
    names = {template["Resources"][table]["Properties"]["TableName"] for table in reached}
    assert all(table.startswith(f"{environment}-") for table in names)
    (secret_statement,) = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    secret_id = secret_statement["Resource"]["Ref"]
    secret_name = template["Resources"][secret_id]["Properties"]["Name"]
    expected = {"api": "api", "deliver-alerts": "alerts"}.get(name, "github-token")
    assert secret_name == f"ossgrowth/{environment}/{expected}"
    assert set(secret_statement["Action"]) == {
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    }
    for statement in statements:
        if statement["Resource"] == "*":  # only metrics, and only in the ossgrowth namespace
            assert name != "api"
            assert statement["Action"] == "cloudwatch:PutMetricData"
            assert statement["Condition"] == {"StringEquals": {"cloudwatch:namespace": "ossgrowth"}}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_functions_run_the_shared_handlers_with_their_environment(
    synthesized: Synthesized, environment: str
) -> None:
    template = Template.from_json(synthesized.templates[environment])
    handlers = {
        "api": "ossgrowth.aws.handlers.api",
        "collect-stars": "ossgrowth.aws.handlers.collect_stars",
        "collect-activity": "ossgrowth.aws.handlers.collect_activity",
        "collect-downloads": "ossgrowth.aws.handlers.collect_downloads",
        "run-backfills": "ossgrowth.aws.handlers.run_backfills",
        "deliver-alerts": "ossgrowth.aws.handlers.deliver_alerts",
    }
    secrets = resources(synthesized.templates[environment], "AWS::SecretsManager::Secret")
    secret_ids = {
        secret["Properties"]["Name"].rsplit("/", 1)[1]: lid for lid, secret in secrets.items()
    }
    for name, handler in handlers.items():
        variables = {
            "OSSGROWTH_ENV": environment,
            "OSSGROWTH_STORE_URL": f"dynamodb://?region={REGION}",
            "OSSGROWTH_TIMEZONE": "America/Los_Angeles",
        }
        if name == "api":
            variables["OSSGROWTH_API_SECRET"] = {"Ref": secret_ids["api"]}
        elif name == "deliver-alerts":  # no SMTP variables: this app sets no smtp_* context
            variables["OSSGROWTH_ALERTS_SECRET"] = {"Ref": secret_ids["alerts"]}
        else:
            variables["OSSGROWTH_GITHUB_TOKEN_SECRET"] = {"Ref": secret_ids["github-token"]}
        template.has_resource_properties(
            "AWS::Lambda::Function",
            {
                "FunctionName": f"ossgrowth-{environment}-{name}",
                "Handler": handler,
                "Runtime": "python3.11",
                "Architectures": ["arm64"],
                "Environment": {"Variables": Match.exact(variables)},
            },
        )
    api = template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"FunctionName": f"ossgrowth-{environment}-api"}}
    )
    (api_properties,) = [resource["Properties"] for resource in api.values()]
    assert api_properties["Timeout"] < 30  # API Gateway's integration limit


def test_every_functions_code_is_the_given_artifact(synthesized: Synthesized) -> None:
    template = synthesized.templates["prod"]
    assets = json.loads((synthesized.outdir / "ossgrowth-prod.assets.json").read_text())
    keys = {
        function["Code"]["S3Key"]
        for function in properties(template, "AWS::Lambda::Function")
        if function.get("FunctionName", "").startswith("ossgrowth-prod-")
    }
    (key,) = keys  # one artifact for all five
    (asset,) = [
        asset
        for asset in assets["files"].values()
        if any(d["objectKey"] == key for d in asset["destinations"].values())
    ]
    assert asset["source"]["packaging"] == "file"  # the zip as it is, not zipped again
    staged = synthesized.outdir / asset["source"]["path"]
    assert staged.read_bytes() == synthesized.artifact.read_bytes()


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_secret_value_is_written_in_a_template(
    synthesized: Synthesized, environment: str
) -> None:
    template = synthesized.templates[environment]
    secrets = properties(template, "AWS::SecretsManager::Secret")
    assert len(secrets) == 3
    for secret in secrets:
        assert "SecretString" not in secret
        assert "GenerateSecretString" in secret
    keys = {key for key, _ in walk(template)}
    assert "SecretString" not in keys and "SecretStringValue" not in keys
    for store in properties(template, "AWS::CloudFront::KeyValueStore"):
        assert "ImportSource" not in store  # created empty: no hash either


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_dashboard_bucket_is_private_and_read_by_cloudfront_alone(
    synthesized: Synthesized, environment: str
) -> None:
    template = synthesized.templates[environment]
    (bucket_id,) = resources(template, "AWS::S3::Bucket")
    bucket = template["Resources"][bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "BucketEncryption" in bucket and "WebsiteConfiguration" not in bucket
    (policy,) = properties(template, "AWS::S3::BucketPolicy")
    statements = policy["PolicyDocument"]["Statement"]
    (deny,) = [statement for statement in statements if statement["Effect"] == "Deny"]
    assert deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}  # TLS only
    readers = [s for s in statements if s["Effect"] == "Allow" and s["Action"] == "s3:GetObject"]
    (reader,) = readers
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "AWS:SourceArn" in reader["Condition"]["StringEquals"]
    for statement in statements:  # nobody else reads: no anonymous or wildcard grant
        if statement["Effect"] == "Allow":
            assert statement["Principal"] != "*" and statement["Principal"] != {"AWS": "*"}
    (control,) = properties(template, "AWS::CloudFront::OriginAccessControl")
    config = control["OriginAccessControlConfig"]
    assert (config["OriginAccessControlOriginType"], config["SigningBehavior"]) == ("s3", "always")
    (distribution,) = properties(template, "AWS::CloudFront::Distribution")
    origins = distribution["DistributionConfig"]["Origins"]
    (s3_origin,) = [o for o in origins if "S3OriginConfig" in o]
    assert s3_origin["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
    assert "OriginAccessControlId" in s3_origin


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_api_paths_go_to_the_http_api_uncached_unless_the_api_says(
    synthesized: Synthesized, environment: str
) -> None:
    template = synthesized.templates[environment]
    (api_id,) = resources(template, "AWS::ApiGatewayV2::Api")
    (distribution,) = properties(template, "AWS::CloudFront::Distribution")
    config = distribution["DistributionConfig"]
    (api_origin,) = [o for o in config["Origins"] if "CustomOriginConfig" in o]
    assert api_origin["DomainName"] == {
        "Fn::Select": [2, {"Fn::Split": ["/", {"Fn::GetAtt": [api_id, "ApiEndpoint"]}]}]
    }
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviours) == set(API_PATH_PATTERNS)
    assert "/api/*" in behaviours
    for behaviour in behaviours.values():
        assert behaviour["TargetOriginId"] == api_origin["Id"]
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
        assert {"GET", "POST", "DELETE"} <= set(behaviour["AllowedMethods"])
        assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
        policy = template["Resources"][behaviour["CachePolicyId"]["Ref"]]["Properties"]
        cache = policy["CachePolicyConfig"]
        assert (cache["MinTTL"], cache["DefaultTTL"]) == (0, 0)
        keyed = cache["ParametersInCacheKeyAndForwardedToOrigin"]
        assert keyed["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
        assert keyed["HeadersConfig"]["Headers"] == ["Authorization"]
    assert config["DefaultCacheBehavior"]["TargetOriginId"] != api_origin["Id"]
    assert config["DefaultRootObject"] == "index.html"
    # the built dashboard is uploaded: pages revalidated, hashed assets immutable
    uploads = properties(template, "Custom::CDKBucketDeployment")
    assert sorted(u["Exclude"] for u in uploads) == [["*"], ["assets/*"]]
    controls = {json.dumps(u.get("Include")): u["SystemMetadata"]["cache-control"] for u in uploads}
    assert controls == {
        "null": "no-cache",
        '["assets/*"]': "public, max-age=31536000, immutable",
    }


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_staging_asks_for_a_password_at_cloudfront(
    synthesized: Synthesized, environment: str
) -> None:
    template = synthesized.templates[environment]
    functions = resources(template, "AWS::CloudFront::Function")
    stores = resources(template, "AWS::CloudFront::KeyValueStore")
    (distribution,) = properties(template, "AWS::CloudFront::Distribution")
    config = distribution["DistributionConfig"]
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    if environment != "staging":
        assert functions == {} and stores == {}
        assert all("FunctionAssociations" not in b for b in behaviours)
        return
    ((function_id_, function),) = functions.items()
    ((store_id, store),) = stores.items()
    assert store["Properties"]["Name"] == "ossgrowth-staging-credentials"
    gate = function["Properties"]
    assert gate["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert gate["FunctionConfig"]["KeyValueStoreAssociations"] == [
        {"KeyValueStoreARN": {"Fn::GetAtt": [store_id, "Arn"]}}
    ]
    code = gate["FunctionCode"]["Fn::Join"][1]
    assert {"Fn::GetAtt": [store_id, "Id"]} in code
    assert f"'{CREDENTIALS_KEY}'" in "".join(part for part in code if isinstance(part, str))
    for behaviour in behaviours:  # every path, the dashboard's files and the API alike
        assert behaviour["FunctionAssociations"] == [
            {
                "EventType": "viewer-request",
                "FunctionARN": {"Fn::GetAtt": [function_id_, "FunctionARN"]},
            }
        ]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_alarms_watch_collectors_overdue_slots_and_api_errors(
    synthesized: Synthesized, environment: str
) -> None:
    template = synthesized.templates[environment]
    (topic_id,) = resources(template, "AWS::SNS::Topic")
    alarms = {
        alarm["AlarmName"].removeprefix(f"ossgrowth-{environment}-"): alarm
        for alarm in properties(template, "AWS::CloudWatch::Alarm")
    }
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
    for name in SCHEDULED:
        errors = alarms[f"{name}-errors"]
        assert (errors["Namespace"], errors["MetricName"]) == ("AWS/Lambda", "Errors")
        assert errors["Dimensions"] == [
            {"Name": "FunctionName", "Value": {"Ref": function_id(template, environment, name)}}
        ]
        assert errors["Threshold"] == 1
    overdue = alarms["collection-overdue"]
    assert (overdue["Namespace"], overdue["MetricName"]) == ("ossgrowth", "CollectionOverdue")
    assert overdue["Dimensions"] == [{"Name": "Environment", "Value": environment}]
    assert overdue["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert overdue["Threshold"] == 1
    api = alarms["api-5xx"]
    (api_id,) = resources(template, "AWS::ApiGatewayV2::Api")
    assert (api["Namespace"], api["MetricName"]) == ("AWS/ApiGateway", "5xx")
    assert api["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": api_id}}]
    silent = alarms["collect-stars-silent"]
    assert (silent["MetricName"], silent["TreatMissingData"]) == ("Invocations", "breaching")
    (dashboard,) = properties(template, "AWS::CloudWatch::Dashboard")
    assert dashboard["DashboardName"] == f"ossgrowth-{environment}"
    body = json.dumps(dashboard["DashboardBody"])
    for metric in ("Invocations", "Errors", "Duration", "5xx", "Latency", "CollectionOverdue"):
        assert metric in body
    assert "ConsumedReadCapacityUnits" in body and "ConsumedWriteCapacityUnits" in body


def test_a_stack_without_an_artifact_synthesizes_but_refuses_to_deploy(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    outdir = tmp_path_factory.mktemp("cdk.out.placeholder")

    def build(app: Any) -> OssgrowthStack:
        config = DeploymentConfig(
            environment="dev",
            account=ACCOUNT,
            region=REGION,
            timezone="Europe/Berlin",
            table_prefix="team-a.",
            smtp_host="smtp.example.org",
            smtp_port=587,
            smtp_from="alerts@example.org",
            smtp_user="alerts",
            smtp_starttls=True,
        )
        return OssgrowthStack(app, config)

    stack = synthesize(outdir, {}, build)
    annotations = Annotations.from_stack(stack)
    annotations.has_error("/ossgrowth-dev", Match.string_like_regexp("no Lambda artifact"))
    annotations.has_warning("*", Match.string_like_regexp("no dashboard files"))
    assert (outdir / "lambda-placeholder" / "README.txt").is_file()
    template = json.loads((outdir / "ossgrowth-dev.template.json").read_text())
    assert resources(template, "Custom::CDKBucketDeployment") == {}
    zones = {s["ScheduleExpressionTimezone"] for s in schedule_by_job(template).values()}
    assert zones == {"Europe/Berlin", "Etc/UTC"}  # the rate's zone does not matter
    names = {table["TableName"] for table in properties(template, "AWS::DynamoDB::Table")}
    assert names == set(TableNames("team-a.", "dev").all())
    urls = {
        function["Environment"]["Variables"]["OSSGROWTH_STORE_URL"]
        for function in properties(template, "AWS::Lambda::Function")
        if "OSSGROWTH_STORE_URL" in function.get("Environment", {}).get("Variables", {})
    }
    assert urls == {f"dynamodb://?region={REGION}&table_prefix=team-a."}
    smtp = {
        function["FunctionName"]: {
            name: value
            for name, value in function.get("Environment", {}).get("Variables", {}).items()
            if name.startswith("OSSGROWTH_SMTP_")
        }
        for function in properties(template, "AWS::Lambda::Function")
        if function.get("FunctionName", "").startswith("ossgrowth-dev-")
    }
    assert smtp.pop("ossgrowth-dev-deliver-alerts") == {
        "OSSGROWTH_SMTP_HOST": "smtp.example.org",
        "OSSGROWTH_SMTP_PORT": "587",
        "OSSGROWTH_SMTP_FROM": "alerts@example.org",
        "OSSGROWTH_SMTP_USER": "alerts",
        "OSSGROWTH_SMTP_STARTTLS": "true",
    }
    assert len(smtp) == 5 and not any(smtp.values())  # no other function has them


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"timezone": "Pacific/Nowhere"}, "not an IANA time zone"),
        ({"lambda_architecture": "sparc"}, "lambda_architecture must be one of"),
        ({"smtp_host": "smtp.example.org"}, "smtp_host is set without smtp_from"),
        ({"smtp_port": "twenty-five"}, "smtp_port must be a whole number"),
        ({"smtp_port": "70000"}, "smtp_port must be a port number"),
        ({"smtp_starttls": "maybe"}, "smtp_starttls must be true or false"),
    ],
)
def test_a_bad_setting_is_refused_before_anything_is_built(
    context: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        DeploymentConfig.from_context("dev", context.get, environ={})


def test_settings_come_from_context_then_the_cdk_cli_then_offline_defaults(
    tmp_path: Path,
) -> None:
    offline = DeploymentConfig.from_context("prod", {}.get, environ={})
    assert (offline.account, offline.region) == ("000000000000", "us-west-2")
    assert offline.timezone == "America/Los_Angeles" and offline.architecture == "arm64"
    cli = {"CDK_DEFAULT_ACCOUNT": "210987654321", "CDK_DEFAULT_REGION": "ap-south-1"}
    from_cli = DeploymentConfig.from_context("prod", {}.get, environ=cli)
    assert (from_cli.account, from_cli.region) == ("210987654321", "ap-south-1")
    given = {"account": ACCOUNT, "region": REGION, "lambda_artifact": "dist/lambda.zip"}
    from_context = DeploymentConfig.from_context("prod", given.get, environ=cli)
    assert (from_context.account, from_context.region) == (ACCOUNT, REGION)
    assert from_context.lambda_artifact == tmp_path / "dist" / "lambda.zip"  # from the cwd
    assert offline.smtp_variables() == {}
    smtp = {"smtp_host": "mail.example.org", "smtp_from": "a@example.org", "smtp_port": "465"}
    with_smtp = DeploymentConfig.from_context("prod", {**given, **smtp}.get, environ={})
    assert with_smtp.smtp_variables() == {
        "OSSGROWTH_SMTP_HOST": "mail.example.org",
        "OSSGROWTH_SMTP_PORT": "465",
        "OSSGROWTH_SMTP_FROM": "a@example.org",
    }
