"""``chalice package`` output for every service: least-privilege roles naming only the service's
own resources, partial batch failures switched on for queue consumers, python3.13, and only the
libraries each function needs. Packaged without third-party wheels so it runs offline and fast;
the template does not depend on them."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registration", "notifications", "certificates", "matching")


def _packager():
    spec = importlib.util.spec_from_file_location("samling_package", ROOT / "infra" / "package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def packaged(tmp_path_factory) -> dict[str, dict]:
    packager = _packager()
    build = tmp_path_factory.mktemp("build")
    templates = {}
    for service in SERVICES:
        out = packager.package(service, "prod", build=build, with_deps=False)
        templates[service] = {"template": yaml.safe_load((out / "sam.yaml").read_text()),
                              "out": out, "project": build / service / "project"}
    return templates


def policies(template: dict) -> dict[str, list[dict]]:
    roles = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            statements = []
            for p in resource["Properties"]["Policies"]:
                statements.extend(p["PolicyDocument"]["Statement"])
            roles[name] = statements
    return roles


def resources_of(statement: dict) -> list[str]:
    res = statement["Resource"]
    res = res if isinstance(res, list) else [res]
    return [r["Fn::Sub"] if isinstance(r, dict) and "Fn::Sub" in r else r for r in res]


def test_no_role_has_a_wildcard_action_or_resource(packaged):
    for service, p in packaged.items():
        for role, statements in policies(p["template"]).items():
            for s in statements:
                assert s["Effect"] == "Allow", (service, role)
                actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
                assert all("*" not in a for a in actions), (service, role, actions)
                for r in resources_of(s):
                    assert r != "*", (service, role)
                    # the only wildcard allowed is a path inside a resource the service owns
                    if "*" in r:
                        assert r.endswith(("log-group:/aws/lambda/*", "/certificates/*")), (service, role, r)


def test_each_service_names_only_its_own_table_and_queue(packaged):
    for service, p in packaged.items():
        for role, statements in policies(p["template"]).items():
            for s in statements:
                for r in resources_of(s):
                    if ":dynamodb:" in r:
                        assert r.endswith(f"table/samling-${{Stage}}-{service}"), (service, r)
                    if ":sqs:" in r and "sqs:SendMessage" not in s["Action"]:
                        assert r.endswith(f"samling-${{Stage}}-{service}"), (service, r)
                    if ":sqs:" in r and "sqs:SendMessage" in s["Action"]:
                        assert r.endswith("samling-${Stage}-notifications"), (service, r)


def test_only_notifications_sends_mail_and_only_certificates_touches_the_bucket(packaged):
    for service, p in packaged.items():
        actions = {a for statements in policies(p["template"]).values() for s in statements
                   for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
        assert ("ses:SendRawEmail" in actions) == (service == "notifications")
        assert any(a.startswith("s3:") for a in actions) == (service == "certificates")
        assert "ses:SendEmail" not in actions


def test_queue_consumers_report_partial_batch_failures(packaged):
    for service, p in packaged.items():
        functions = {n: r for n, r in p["template"]["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
        consumers = [f for f in functions.values() if "Events" in f["Properties"]
                     and any(e["Type"] == "SQS" for e in f["Properties"]["Events"].values())]
        if service == "registration":
            assert consumers == []
            continue
        assert len(consumers) == 1, service
        event = next(e for e in consumers[0]["Properties"]["Events"].values() if e["Type"] == "SQS")
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert event["Properties"]["Queue"]["Fn::Sub"].endswith(f":samling-prod-{service}")
        for f in functions.values():
            assert f["Properties"]["Runtime"] == "python3.13"


def test_reminders_and_offer_expiry_run_every_fifteen_minutes(packaged):
    for service, name in (("notifications", "Reminders"), ("registration", "ExpireOffers")):
        events = packaged[service]["template"]["Resources"][name]["Properties"]["Events"]
        assert [e["Properties"]["Schedule"] for e in events.values()] == ["rate(15 minutes)"]


def test_shared_package_is_vendored_and_registration_carries_no_pdf_library(packaged):
    for service, p in packaged.items():
        vendor = p["project"] / "vendor" / "samling"
        assert (vendor / "contracts.py").exists() and (vendor / service).is_dir()
        assert (vendor / "registry" / "data" / "kommuner.csv").exists()
    registration = packaged["registration"]["project"]
    assert not (registration / "vendor" / "samling" / "certificates").exists()
    requirements = _packager().REQUIREMENTS
    assert not any(r.startswith(("fpdf2", "qrcode")) for r in requirements["registration"])
    assert not any(r.startswith(("fpdf2", "qrcode", "scipy")) for r in requirements["notifications"])


def test_generated_templates_pass_cfn_lint(packaged):
    paths = [str(p["out"] / "sam.yaml") for p in packaged.values()]
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run([str(cfn_lint), *paths, str(ROOT / "infra" / "stack.yaml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _actions(statement: dict) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def test_the_organiser_authorizer_may_read_the_token_hashes_and_nothing_else(packaged):
    token = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/samling/${Stage}/organiser-token-hashes"
    for service, p in packaged.items():
        resources = p["template"]["Resources"]
        function = resources["Organiser"]
        assert function["Type"] == "AWS::Serverless::Function"
        assert function["Properties"]["Handler"] == "app.organiser_authorizer"
        assert function["Properties"]["Role"] == {"Fn::GetAtt": ["OrganiserRole", "Arn"]}
        assert function["Properties"]["Environment"]["Variables"]["SAMLING_ORGANISER_TOKEN_PARAMETER"] == {
            "Fn::Sub": "/samling/${Stage}/organiser-token-hashes"}
        statements = policies(p["template"])["OrganiserRole"]
        granted = {(a, r) for s in statements for a in _actions(s) for r in resources_of(s)}
        assert {a for a, _ in granted} == {"ssm:GetParameter", "logs:CreateLogGroup", "logs:CreateLogStream",
                                           "logs:PutLogEvents"}, service
        assert {r for a, r in granted if a == "ssm:GetParameter"} == {token}, service
        # the API handler still reads the hashes for its own check
        handler = policies(p["template"])["ApiHandlerRole"]
        assert any("ssm:GetParameter" in _actions(s) and resources_of(s) == [token] for s in handler), service


def test_organiser_routes_and_only_they_go_through_the_authorizer(packaged):
    from samling.local.services import load_service

    for service, p in packaged.items():
        body = p["template"]["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
        definition = body["securityDefinitions"]["organiser"]
        assert definition["x-amazon-apigateway-authtype"] == "custom"
        authorizer = definition["x-amazon-apigateway-authorizer"]
        assert authorizer["type"] == "token" and authorizer["authorizerResultTtlInSeconds"] > 0
        assert "${Organiser.Arn}" in authorizer["authorizerUri"]["Fn::Sub"]
        secured = {(path, method.upper()) for path, operations in body["paths"].items()
                   for method, operation in operations.items() if operation.get("security")}
        assert all(op["security"] == [{"organiser": []}] for ops in body["paths"].values()
                   for op in ops.values() if op.get("security")), service
        app = load_service(service).app
        organiser = {(path, method) for path, methods in app.routes.items() for method, entry in methods.items()
                     if getattr(entry.view_function, "organiser", False)}
        assert secured == organiser and len(organiser) >= 2, service
        assert ("/health", "GET") not in secured


def test_api_gateway_answers_refusals_in_the_contracts_shape(packaged):
    for service, p in packaged.items():
        body = p["template"]["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
        answers = body["x-amazon-apigateway-gateway-responses"]
        for kind, code, status in (("UNAUTHORIZED", "unauthorized", 401), ("ACCESS_DENIED", "unauthorized", 401),
                                   ("MISSING_AUTHENTICATION_TOKEN", "not_found", 404),
                                   ("AUTHORIZER_FAILURE", "internal", 500)):
            answer = answers[kind]
            assert answer["statusCode"] == status, (service, kind)
            assert answer["responseParameters"]["gatewayresponse.header.Content-Type"].startswith(
                "'application/json"), (service, kind)
            error = json.loads(answer["responseTemplates"]["application/json"])["error"]
            assert error["code"] == code and error["message"], (service, kind)
            # a mapping template is Velocity: a stray $ or # in the text would be read as code
            assert not set("$#") & set(answer["responseTemplates"]["application/json"]), (service, kind)
