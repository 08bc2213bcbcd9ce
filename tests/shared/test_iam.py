"""The one policy-document form every program and tool writes."""

from shared.iam import policy_document


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
