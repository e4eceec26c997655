"""A Python module, not captions."""

import sys


def main() -> int:
    print("hello", sys.argv)
    return 0
