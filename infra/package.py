"""Package each service for AWS Lambda with ``chalice package``.

For every service this lays out ``build/<service>/project`` (the app, its stage config, the
shared package copied into ``vendor/`` — a local path in requirements.txt would silently ship
nothing — and a requirements.txt with only that service's third-party libraries), writes a merge
template (least-privilege roles, environment, ``ReportBatchItemFailures``, API Gateway's own
answers in the contract's shape) and runs ``chalice package`` into ``build/<service>/out``
(``sam.yaml`` + ``deployment.zip``).

    python infra/package.py [--stage prod] [--no-deps] [service ...]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from samling.platform import i18n  # noqa: E402
SERVICES = ("registration", "notifications", "certificates", "matching")

# What each function bundles: the shared parts of the package plus its own domain, and only the
# third-party libraries it imports (boto3 is in the Lambda runtime; chalice adds its own runtime).
SHARED_MODULES = ("__init__.py", "contracts.py", "participants.py", "platform", "registry")
REQUIREMENTS = {
    "registration": ["pydantic>=2.7,<3", "jinja2>=3.1,<4", "tzdata>=2024.1", "scipy>=1.13,<2"],
    "notifications": ["pydantic>=2.7,<3", "jinja2>=3.1,<4", "tzdata>=2024.1", "icalendar>=6,<8"],
    "certificates": ["pydantic>=2.7,<3", "tzdata>=2024.1", "fpdf2>=2.7.9,<3", "qrcode>=7.4,<9"],
    "matching": ["pydantic>=2.7,<3", "tzdata>=2024.1", "rustworkx>=0.15,<1", "scipy>=1.13,<2"],
}
MEMORY = {"registration": 1024, "notifications": 512, "certificates": 1024, "matching": 1536}


def sub(text: str) -> dict:
    return {"Fn::Sub": text}


def arns(service: str) -> dict[str, dict]:
    return {
        "table": sub(f"arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/samling-${{Stage}}-{service}"),
        "queue": sub(f"arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:samling-${{Stage}}-{service}"),
        "topic": sub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:samling-${Stage}-events"),
        "mail_queue": sub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:samling-${Stage}-notifications"),
        "token": sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/samling/${Stage}/organiser-token-hashes"),
        "link_secret": sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/samling/${Stage}/link-secret"),
        "logs": sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*"),
        "pdfs": sub("arn:${AWS::Partition}:s3:::samling-${Stage}-certificates-${AWS::AccountId}/certificates/*"),
        "ses": sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderIdentity}"),
    }


# The organiser authorizer chalice makes from ``Edge``'s ``app.authorizer(name="organiser")``.
AUTHORIZER = "Organiser"


def policy(service: str, function: str) -> dict:
    """Exactly what one function of ``service`` needs, naming only its own resources."""
    a = arns(service)
    logs = {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": a["logs"]}
    if function == AUTHORIZER:
        # it only compares the token's hash with the stored ones: no table, queue or topic
        return {"Version": "2012-10-17", "Statement": [
            logs, {"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": a["token"]}]}
    statements = [
        logs,
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                       "dynamodb:DeleteItem", "dynamodb:Query"], "Resource": a["table"]},
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": a["topic"]},
    ]
    if service != "notifications":
        statements.append({"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": a["mail_queue"]})
    if function == "OnMessage":
        statements.append({"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                                         "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                           "Resource": a["queue"]})
    if function == "APIHandler":
        statements.append({"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": a["token"]})
    if service == "registration":
        # applicants' link tokens are derived from this secret, so mails can carry them again
        statements.append({"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": a["link_secret"]})
    if service == "notifications":
        statements.append({"Effect": "Allow", "Action": ["ses:SendRawEmail"], "Resource": a["ses"]})
    if service == "certificates":
        statements.append({"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                           "Resource": a["pdfs"]})
    return {"Version": "2012-10-17", "Statement": statements}


def environment(service: str) -> dict:
    return {
        "SAMLING_STAGE": {"Ref": "Stage"},
        f"SAMLING_{service.upper()}_TABLE": sub(f"samling-${{Stage}}-{service}"),
        "SAMLING_TOPIC_ARN": arns(service)["topic"],
        "SAMLING_NOTIFICATIONS_QUEUE_URL": sub("https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/samling-${Stage}-notifications"),
        "SAMLING_CERTIFICATES_BUCKET": sub("samling-${Stage}-certificates-${AWS::AccountId}"),
        "SAMLING_ORGANISER_TOKEN_PARAMETER": sub("/samling/${Stage}/organiser-token-hashes"),
        "SAMLING_LINK_SECRET_PARAMETER": sub("/samling/${Stage}/link-secret"),
        "SAMLING_SENDER": {"Ref": "Sender"},
        "SAMLING_PUBLIC_URL": {"Ref": "PublicUrl"},
    }


FUNCTIONS = {
    "registration": ("APIHandler", AUTHORIZER, "ExpireOffers"),
    "notifications": ("APIHandler", AUTHORIZER, "OnMessage", "Reminders"),
    "certificates": ("APIHandler", AUTHORIZER, "OnMessage"),
    "matching": ("APIHandler", AUTHORIZER, "OnMessage"),
}


def _error_template(code: str) -> str:
    # A gateway response cannot negotiate the language; Norwegian Bokmål is the default one.
    body = {"error": {"code": code, "message": i18n.generic(code, "nb")}}
    return json.dumps(body, ensure_ascii=False)


def gateway_responses() -> dict:
    """What API Gateway answers itself, in the contract's shape: a missing token (UNAUTHORIZED)
    and the authorizer's Deny (ACCESS_DENIED) are both 401 ``unauthorized``; no route matched
    (MISSING_AUTHENTICATION_TOKEN) is 404 ``not_found``, as the local gateway answers; an
    authorizer that failed is 500 ``internal``. They go into the API definition itself rather than
    into separate GatewayResponse resources, which would reach the stage only on some later
    deployment."""
    answers = {"UNAUTHORIZED": ("unauthorized", 401), "ACCESS_DENIED": ("unauthorized", 401),
               "MISSING_AUTHENTICATION_TOKEN": ("not_found", 404),
               "AUTHORIZER_FAILURE": ("internal", 500), "AUTHORIZER_CONFIGURATION_ERROR": ("internal", 500)}
    return {kind: {"statusCode": status,
                   "responseParameters": {
                       "gatewayresponse.header.Content-Type": "'application/json; charset=utf-8'"},
                   "responseTemplates": {"application/json": _error_template(code)}}
            for kind, (code, status) in answers.items()}


def merge_template(service: str) -> dict:
    resources: dict = {}
    for function in FUNCTIONS[service]:
        role = "ApiHandlerRole" if function == "APIHandler" else f"{function}Role"
        resources[role] = {"Properties": {"Policies": [
            {"PolicyName": f"samling-{service}-{function}", "PolicyDocument": policy(service, function)}]}}
        # the authorizer imports the same app module as the API handler, so it needs the same
        # settings and memory to load it; it runs before the handler, well inside API Gateway's 29 s
        timeout = {"APIHandler": 60, AUTHORIZER: 20}.get(function, 180)
        props: dict = {"Environment": {"Variables": environment(service)}, "MemorySize": MEMORY[service],
                       "Timeout": timeout}
        if function == "OnMessage":
            props["Events"] = {"OnMessageSqsEventSource": {"Properties": {
                "FunctionResponseTypes": ["ReportBatchItemFailures"]}}}
        resources[function] = {"Properties": props}
    resources["RestAPI"] = {"Properties": {"DefinitionBody": {
        "x-amazon-apigateway-gateway-responses": gateway_responses()}}}
    return {
        "Parameters": {
            "Stage": {"Type": "String", "Default": "prod", "AllowedPattern": "[a-z0-9-]+"},
            "Sender": {"Type": "String", "Default": "Samling <ikkje-svar@samling.example>",
                       "Description": "From address of every mail (a verified SES identity)"},
            "SenderIdentity": {"Type": "String", "Default": "samling.example",
                               "Description": "The SES identity (domain or address) mail is sent as"},
            "PublicUrl": {"Type": "String", "Default": "https://samling.example",
                          "Description": "Base URL people open from their mail"},
        },
        "Resources": resources,
    }


def stage_config(service: str, stage: str) -> dict:
    return {"version": "2.0", "app_name": f"samling-{service}",
            "stages": {stage: {"api_gateway_stage": "api", "autogen_policy": False,
                               "iam_policy_file": "policy-placeholder.json"}}}


def layout(service: str, stage: str, build: Path, with_deps: bool) -> Path:
    project = build / service / "project"
    if project.exists():
        shutil.rmtree(project)
    (project / ".chalice").mkdir(parents=True)
    shutil.copy2(ROOT / "services" / service / "app.py", project / "app.py")
    if (ROOT / "services" / service / "chalicelib").is_dir():
        shutil.copytree(ROOT / "services" / service / "chalicelib", project / "chalicelib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (project / ".chalice" / "config.json").write_text(json.dumps(stage_config(service, stage), indent=2))
    # replaced by the merge template; chalice needs a file to start from
    (project / ".chalice" / "policy-placeholder.json").write_text(json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sns:Publish",
                                                 "Resource": "arn:aws:sns:eu-north-1:000000000000:none"}]}))
    vendor = project / "vendor" / "samling"
    vendor.mkdir(parents=True)
    source = ROOT / "src" / "samling"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in (*SHARED_MODULES, service):
        path = source / name
        if path.is_dir():
            shutil.copytree(path, vendor / name, ignore=ignore)
        else:
            shutil.copy2(path, vendor / name)
    if service == "notifications":
        shutil.copytree(source / "certificates", vendor / "certificates", ignore=shutil.ignore_patterns(
            "__pycache__", "fonts", "pdf.py"))  # mail texts only, never the PDF stack
    (project / "requirements.txt").write_text("\n".join(REQUIREMENTS[service]) + "\n" if with_deps else "")
    (build / service / "merge.json").write_text(json.dumps(merge_template(service), indent=2))
    return project


def package(service: str, stage: str = "prod", build: Path = ROOT / "build", with_deps: bool = True) -> Path:
    project = layout(service, stage, build, with_deps)
    out = build / service / "out"
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-north-1"),
           f"SAMLING_{service.upper()}_QUEUE_NAME": f"samling-{stage}-{service}"}
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", stage, "--template-format", "yaml",
                    "--merge-template", str(build / service / "merge.json"), str(out)],
                   cwd=project, env=env, check=True, stdout=subprocess.DEVNULL)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("services", nargs="*", default=list(SERVICES))
    parser.add_argument("--stage", default=os.environ.get("STAGE", "prod"))
    parser.add_argument("--no-deps", action="store_true", help="package without third-party libraries")
    args = parser.parse_args()
    print(f"{'service':<14} {'zip MiB':>8}  template")
    for service in args.services:
        out = package(service, args.stage, with_deps=not args.no_deps)
        size = (out / "deployment.zip").stat().st_size / 2**20
        print(f"{service:<14} {size:8.1f}  {out / 'sam.yaml'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
