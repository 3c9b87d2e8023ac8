"""The shared infrastructure deployed into moto's CloudFormation, exactly as the local platform
does it, and checked resource by resource: what a real deployment must get right."""
from __future__ import annotations

import json

import pytest

from samling.platform import aws, settings


def load_template() -> dict:
    """The template as data; CloudFormation's short tags (!Ref, !Sub …) become plain dicts."""
    from pathlib import Path

    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def tag(loader, suffix, node):
        value = (loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode)
                 else loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode)
                 else loader.construct_mapping(node))
        return {suffix: value}

    Loader.add_multi_constructor("!", tag)
    path = Path(__file__).resolve().parents[2] / "infra" / "shared.yaml"
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


@pytest.fixture(scope="module")
def outputs(platform):
    return platform.aws.outputs


def test_every_service_queue_sends_to_its_dead_letter_queue_after_five_tries(outputs):
    sqs = aws.client("sqs")
    for service in settings.SERVICES:
        title = service.capitalize()
        attrs = sqs.get_queue_attributes(QueueUrl=outputs[f"{title}QueueUrl"], AttributeNames=["All"])["Attributes"]
        policy = json.loads(attrs["RedrivePolicy"])
        dlq_arn = sqs.get_queue_attributes(QueueUrl=outputs[f"{title}DeadLetterQueueUrl"],
                                           AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        assert policy["deadLetterTargetArn"] == dlq_arn
        assert int(policy["maxReceiveCount"]) == 5
        assert int(attrs["VisibilityTimeout"]) >= 60


def test_the_topic_fans_out_to_every_service_queue(outputs):
    sns, sqs = aws.client("sns"), aws.client("sqs")
    subscribed = {s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=outputs["TopicArn"])["Subscriptions"]}
    for service in settings.SERVICES:
        arn = sqs.get_queue_attributes(QueueUrl=outputs[f"{service.capitalize()}QueueUrl"],
                                       AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        assert arn in subscribed


def test_tables_are_on_demand(outputs):
    ddb = aws.client("dynamodb")
    for service in settings.SERVICES:
        name = outputs[f"{service.capitalize()}TableName"]
        table = ddb.describe_table(TableName=name)["Table"]
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]


def test_template_asks_for_point_in_time_recovery_and_encryption_on_every_table():
    # moto's CloudFormation creates the tables but does not apply PITR, so this one setting is
    # checked in the template that AWS will read.
    template = load_template()
    tables = [r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == len(settings.SERVICES)
    for table in tables:
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert props["BillingMode"] == "PAY_PER_REQUEST"


def test_certificate_bucket_is_encrypted(outputs):
    s3 = aws.client("s3")
    bucket = outputs["CertificatesBucketName"]
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")


def test_template_blocks_all_public_access_to_the_certificate_bucket():
    # moto's CloudFormation does not apply the public-access block; AWS does, from this.
    bucket = load_template()["Resources"]["CertificatesBucket"]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True}


def test_reminder_schedule_runs_every_fifteen_minutes(outputs):
    rule = aws.client("events").describe_rule(Name=outputs["ReminderScheduleName"])
    assert rule["ScheduleExpression"] == "rate(15 minutes)"
    assert rule["State"] == "ENABLED"
