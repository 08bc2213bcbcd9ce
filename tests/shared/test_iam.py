"""The one policy-document form every program and tool writes."""

import json

from shared.iam import policy_document, service_trust_policy


def test_a_policy_document_is_the_statements_under_the_current_version_with_sorted_keys():
    allow = {"Sid": "B", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Sid": "A"}
    assert policy_document(allow, deny) == (
        '{"Statement": ['
        '{"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*", "Sid": "B"}, '
        '{"Action": "s3:*", "Effect": "Deny", "Resource": "*", "Sid": "A"}'
        '], "Version": "2012-10-17"}'
    )


def test_statement_key_order_does_not_change_the_bytes():
    first = {"Sid": "S", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*"}
    assert policy_document(first) == policy_document(dict(reversed(list(first.items()))))


def test_a_service_trust_policy_guards_against_the_confused_deputy_with_the_matching_arn_operator():
    def condition(source_arn: str) -> dict:
        doc = json.loads(
            service_trust_policy(
                sid="S", service="firehose.amazonaws.com", account_id="111122223333", source_arn=source_arn
            )
        )
        (statement,) = doc["Statement"]
        assert (statement["Principal"], statement["Action"]) == (
            {"Service": "firehose.amazonaws.com"},
            "sts:AssumeRole",
        )
        return statement["Condition"]

    exact = "arn:aws:firehose:ap-northeast-2:111122223333:deliverystream/archive"
    assert condition(exact) == {
        "StringEquals": {"aws:SourceAccount": "111122223333"},
        "ArnEquals": {"aws:SourceArn": exact},
    }
    assert condition("arn:aws:ecs:ap-northeast-2:111122223333:*")["ArnLike"] == {
        "aws:SourceArn": "arn:aws:ecs:ap-northeast-2:111122223333:*"
    }
