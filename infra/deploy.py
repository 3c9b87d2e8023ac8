"""Deploy Samling to a real AWS account: upload the packaged services and templates to an
artifacts bucket, then create or update the one stack of ``infra/stack.yaml``.

    STAGE=prod ARTIFACTS_BUCKET=my-bucket python infra/deploy.py

Run ``make package`` first. Credentials come from the usual AWS chain (profile, SSO, env).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import boto3
import yaml

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("registration", "notifications", "certificates", "matching")


def upload(s3, bucket: str, prefix: str, stage: str) -> str:
    region = s3.meta.region_name
    base = f"https://{bucket}.s3.{region}.amazonaws.com/{prefix}"
    s3.upload_file(str(ROOT / "infra" / "shared.yaml"), bucket, f"{prefix}/shared.yaml")
    for service in SERVICES:
        out = ROOT / "build" / service / "out"
        if not (out / "sam.yaml").exists():
            raise SystemExit(f"{out}/sam.yaml is missing: run `make package STAGE={stage}` first")
        key = f"{prefix}/{service}-deployment.zip"
        s3.upload_file(str(out / "deployment.zip"), bucket, key)
        template = yaml.safe_load((out / "sam.yaml").read_text())
        for resource in template["Resources"].values():
            if resource["Type"] == "AWS::Serverless::Function":
                resource["Properties"]["CodeUri"] = f"s3://{bucket}/{key}"
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{service}.yaml", Body=yaml.safe_dump(template).encode())
    return base


def deploy(stage: str, bucket: str, sender: str, identity: str, public_url: str) -> None:
    session = boto3.session.Session()
    s3, cfn = session.client("s3"), session.client("cloudformation")
    base = upload(s3, bucket, f"samling/{stage}", stage)
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in {
        "ArtifactsBaseUrl": base, "Stage": stage, "Sender": sender, "SenderIdentity": identity,
        "PublicUrl": public_url}.items()]
    name = f"samling-{stage}"
    body = (ROOT / "infra" / "stack.yaml").read_text()
    caps = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    exists = any(s["StackName"] == name for s in cfn.list_stacks(
        StackStatusFilter=["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"])["StackSummaries"])
    if exists:
        cfn.update_stack(StackName=name, TemplateBody=body, Parameters=params, Capabilities=caps)
        waiter = "stack_update_complete"
    else:
        cfn.create_stack(StackName=name, TemplateBody=body, Parameters=params, Capabilities=caps)
        waiter = "stack_create_complete"
    print(f"Deploying {name} …", flush=True)
    cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 120})
    outputs = cfn.describe_stacks(StackName=name)["Stacks"][0].get("Outputs", [])
    for o in outputs:
        print(f"{o['OutputKey']}: {o['OutputValue']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default=os.environ.get("STAGE", "prod"))
    parser.add_argument("--bucket", default=os.environ.get("ARTIFACTS_BUCKET"))
    parser.add_argument("--sender", default=os.environ.get("SENDER", "Samling <ikkje-svar@samling.example>"))
    parser.add_argument("--identity", default=os.environ.get("SENDER_IDENTITY", "samling.example"))
    parser.add_argument("--public-url", default=os.environ.get("PUBLIC_URL", "https://samling.example"))
    args = parser.parse_args()
    if not args.bucket:
        parser.error("set ARTIFACTS_BUCKET (an S3 bucket you own in the target region)")
    deploy(args.stage, args.bucket, args.sender, args.identity, args.public_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
