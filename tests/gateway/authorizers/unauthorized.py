#!/usr/bin/env python3
"""Fails the way a Lambda function that throws Error("Unauthorized") is reported: the
runtime's error document on stdout and a non-zero exit. API Gateway answers 401."""
import json
import sys

json.load(sys.stdin)
json.dump({"errorMessage": "Unauthorized", "errorType": "Error"}, sys.stdout)
sys.exit(1)
