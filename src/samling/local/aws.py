"""The embedded AWS: moto's server on loopback, with the shared resources deployed into it
from ``infra/shared.yaml`` through moto's CloudFormation, exactly as they are on AWS."""
from __future__ import annotations

import logging
import os
import warnings
import socket
from pathlib import Path

from samling.platform import aws, settings

STACK = "samling-local"
STAGE = "local"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def use_fake_credentials() -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": settings.region(),
                        "AWS_REGION": settings.region()}.items():
        os.environ[name] = value


class EmbeddedAws:
    def __init__(self) -> None:
        self.server = None
        self.endpoint = ""
        self.outputs: dict[str, str] = {}
        self.stage = STAGE

    def start(self) -> str:
        from moto.server import ThreadedMotoServer

        use_fake_credentials()
        port = free_port()
        # moto binds every interface unless told otherwise: keep it on loopback.
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.server.start()
        self.endpoint = f"http://127.0.0.1:{port}"
        os.environ["AWS_ENDPOINT_URL"] = self.endpoint
        aws.reset()
        return self.endpoint

    def deploy(self, template: Path) -> dict[str, str]:
        # moto has no CloudFormation model of queue policies (AWS needs them; moto does not
        # check permissions), and says so loudly.
        warnings.filterwarnings("ignore", message=".*AWS::SQS::QueuePolicy.*")
        logging.getLogger("moto").setLevel(logging.ERROR)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        cfn = aws.client("cloudformation")
        cfn.create_stack(StackName=STACK, TemplateBody=template.read_text(encoding="utf-8"),
                         Parameters=[{"ParameterKey": "Stage", "ParameterValue": STAGE}])
        stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
        if stack["StackStatus"] != "CREATE_COMPLETE":
            raise RuntimeError(f"deploying {template} into moto ended in {stack['StackStatus']}")
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        self._export_settings()
        return self.outputs

    def _export_settings(self) -> None:
        o = self.outputs
        os.environ["SAMLING_TOPIC_ARN"] = o["TopicArn"]
        os.environ["SAMLING_CERTIFICATES_BUCKET"] = o["CertificatesBucketName"]
        for service in settings.SERVICES:
            title = service.capitalize()
            os.environ[f"SAMLING_{service.upper()}_TABLE"] = o[f"{title}TableName"]
            os.environ[f"SAMLING_{service.upper()}_QUEUE_URL"] = o[f"{title}QueueUrl"]
            os.environ[f"SAMLING_{service.upper()}_DLQ_URL"] = o[f"{title}DeadLetterQueueUrl"]
        sender = settings.sender()
        address = sender.split("<")[-1].rstrip(">").strip()
        aws.client("ses").verify_email_identity(EmailAddress=address)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
