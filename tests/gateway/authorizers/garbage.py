#!/usr/bin/env python3
"""Exits 0 but prints something that is not a Lambda authorizer response."""
import json
import sys

json.load(sys.stdin)
sys.stdout.write("<html>502 Bad Gateway</html>\n")
