#!/usr/bin/env python3
"""Lambda TOKEN authorizer stand-in: reads the TOKEN event on stdin, answers by the token.

The token (after an optional "Bearer ") picks the answer:
  allow-exact-*   Allow exactly the event's methodArn
  deny-*          Deny the methodArn (and Allow the whole stage: the Deny must win)
  nomatch-*       Allow another resource only (no statement matches the methodArn)
  empty-*         "Statement": [] (nothing allowed)
  noprincipal-*   a response without principalId (malformed)
  nopolicy-*      a response without policyDocument (malformed)
  anything else   Allow every method of the stage (arn:...:API/STAGE/*)
Response shape: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
"""
import json
import sys

event = json.load(sys.stdin)
token = event["authorizationToken"]
if token.startswith("Bearer "):
    token = token[len("Bearer "):]
method_arn = event["methodArn"]
api_arn, stage = method_arn.split("/")[0], method_arn.split("/")[1]
stage_arn = api_arn + "/" + stage + "/*"


def statement(effect, resource):
    return {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}


if token.startswith("allow-exact-"):
    statements = [statement("Allow", method_arn)]
elif token.startswith("deny-"):
    statements = [statement("Deny", method_arn), statement("Allow", stage_arn)]
elif token.startswith("nomatch-"):
    statements = [statement("Allow", api_arn + "/" + stage + "/GET/nothing-here")]
elif token.startswith("empty-"):
    statements = []
else:
    statements = [statement("Allow", stage_arn)]

response = {
    "principalId": "user-" + token,
    "policyDocument": {"Version": "2012-10-17", "Statement": statements},
    # What the TOKEN event carried, echoed for the tests.
    "context": {"via": "policy.py", "type": event["type"],
                "authorizationToken": event["authorizationToken"]},
}
if token.startswith("noprincipal-"):
    del response["principalId"]
if token.startswith("nopolicy-"):
    del response["policyDocument"]
json.dump(response, sys.stdout)
