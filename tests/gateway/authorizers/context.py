#!/usr/bin/env python3
"""Allows the method and returns a context map chosen by the token:
  ok      string, number and boolean values (valid)
  nested  a JSON object as a value (API Gateway refuses it: 500)
  array   a JSON array as a value (API Gateway refuses it: 500)
  null    a JSON null as a value (refused too: 500)
"Notice that you cannot set a JSON object or array as a valid value of any key in the
context map." https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
"""
import json
import sys

event = json.load(sys.stdin)
token = event["authorizationToken"]
if token.startswith("Bearer "):
    token = token[len("Bearer "):]
context = {"user": "alice", "tier": "gold", "count": 3, "admin": False}
if token == "nested":
    context["claims"] = {"email": "alice@example.com"}
elif token == "array":
    context["roles"] = ["reader", "writer"]
elif token == "null":
    context["manager"] = None
json.dump({
    "principalId": "ctx-user",
    "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]},
    "context": context,
}, sys.stdout)
