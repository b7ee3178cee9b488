#!/usr/bin/env python3
"""Sleeps past its deadline (the gateway file gives it timeout_ms 500), then would allow."""
import json
import sys
import time

event = json.load(sys.stdin)
time.sleep(3)
json.dump({"principalId": "late", "policyDocument": {"Version": "2012-10-17", "Statement": [
    {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}},
    sys.stdout)
