#!/usr/bin/env python3
"""Fails with an error message other than "Unauthorized": API Gateway answers 500."""
import json
import sys

json.load(sys.stdin)
json.dump({"errorMessage": "database unreachable", "errorType": "RuntimeError"}, sys.stdout)
sys.exit(1)
