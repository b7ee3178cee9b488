#!/usr/bin/env python3
"""TOKEN authorizer for an API whose key source is AUTHORIZER: allows the whole stage and
returns the usage plan API key chosen by the token as usageIdentifierKey
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html)."""
import json
import sys

KEYS = {
    "key-gold": "gold0123456789abcdefghij",
    "key-gold-2": "gold0123456789abcdefghij",
    "key-disabled": "disabled0123456789abcdef",
    "key-orphan": "orphan0123456789abcdefgh",
    "key-unknown": "nosuchkey0123456789abcd",
}
event = json.load(sys.stdin)
token = event["authorizationToken"]
if token.startswith("Bearer "):
    token = token[len("Bearer "):]
api_arn, stage = event["methodArn"].split("/")[0], event["methodArn"].split("/")[1]
response = {"principalId": "user-" + token,
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow",
                 "Resource": api_arn + "/" + stage + "/*"}]}}
if token in KEYS:
    response["usageIdentifierKey"] = KEYS[token]
json.dump(response, sys.stdout)
