#!/usr/bin/env python3
"""Crashes: the process dies on a signal (SIGABRT) with nothing on stdout, as a function
whose runtime is killed does."""
import json
import os
import sys

json.load(sys.stdin)
os.abort()
