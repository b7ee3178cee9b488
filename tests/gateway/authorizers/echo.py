#!/usr/bin/env python3
"""REQUEST authorizer used to observe routing: allows the event's methodArn and echoes
what API Gateway matched (resource, path parameters, method, methodArn) in the context.
argv[1] names the operation it is attached to, so a test can tell which one ran."""
import json
import sys

event = json.load(sys.stdin)
context = {"op": sys.argv[1] if len(sys.argv) > 1 else "", "resource": event["resource"],
           "path": event["path"], "httpMethod": event["httpMethod"],
           "methodArn": event["methodArn"]}
for name, value in (event.get("pathParameters") or {}).items():
    context["param_" + name] = value
json.dump({"principalId": "echo",
           "policyDocument": {"Version": "2012-10-17", "Statement": [
               {"Action": "execute-api:Invoke", "Effect": "Allow",
                "Resource": event["methodArn"]}]},
           "context": context}, sys.stdout)
