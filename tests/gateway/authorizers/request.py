#!/usr/bin/env python3
"""Lambda REQUEST authorizer stand-in. Identity: the X-Tenant header and the `key` query
parameter. Tenant "acme" is allowed exactly the event's methodArn, "evil" is denied it,
any other tenant gets no matching statement. The context echoes what the event carried
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html)."""
import json
import sys

event = json.load(sys.stdin)
headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
query = event.get("queryStringParameters") or {}
params = event.get("pathParameters") or {}
tenant = headers.get("x-tenant", "")
effect = {"acme": "Allow", "evil": "Deny"}.get(tenant)
statements = []
if effect:
    statements.append({"Action": "execute-api:Invoke", "Effect": effect,
                       "Resource": event["methodArn"]})
context = {"tenant": tenant, "key": query.get("key", ""), "resource": event["resource"],
           "path": event["path"], "httpMethod": event["httpMethod"],
           "sourceIp": event["requestContext"]["identity"]["sourceIp"]}
for name, value in params.items():
    context["param_" + name] = value
json.dump({"principalId": "tenant-" + tenant,
           "policyDocument": {"Version": "2012-10-17", "Statement": statements},
           "context": context}, sys.stdout)
