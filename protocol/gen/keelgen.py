#!/usr/bin/env python3
"""Keel's protocol code generator.

Reads protocol/schema/*.schema (format: docs/schema-format.md) and writes, for each API,
<api>.h/.cc with the request and response structs, plus:
  api_registry.h/.cc  every API's key, name, versions and first flexible version, and
                      decode dispatch by key (used by framing, fuzzers and tests);
  test_fill.h/.cc     fills every field a version carries with non-default values, for
                      the round-trip tests (linked only into tests).

  keelgen.py --check FILE...           validate schema files and exit
  keelgen.py --out DIR FILE...         generate (files are rewritten only when changed)
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from schema_parser import SchemaError, parse_file  # noqa: E402
import cpp_emit  # noqa: E402


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as fh:
            if fh.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only validate the schema files")
    ap.add_argument("--out", help="output directory for generated C++")
    ap.add_argument("--stamp", help="file to touch after a successful run")
    ap.add_argument("schemas", nargs="+")
    args = ap.parse_args()

    apis, failed = [], False
    for path in sorted(args.schemas):
        try:
            api = parse_file(path)
            expected = snake(api.name) + ".schema"
            if os.path.basename(path) != expected:
                raise SchemaError(f"{path}: file for api {api.name} must be named {expected}")
            apis.append(api)
        except SchemaError as e:
            print(f"error: {e}", file=sys.stderr)
            failed = True
    keys = {}
    for api in apis:
        if api.key in keys:
            print(f"error: {api.path}: key {api.key} also used by {keys[api.key]}", file=sys.stderr)
            failed = True
        keys[api.key] = api.path
    if failed:
        return 1
    if args.check:
        print(f"ok: {len(apis)} schema file(s)")
        return 0
    if not args.out:
        ap.error("--out is required unless --check is given")
    os.makedirs(args.out, exist_ok=True)
    apis.sort(key=lambda a: a.key)
    for api in apis:
        base = snake(api.name)
        header, source = cpp_emit.emit_api(api, base)
        write_if_changed(os.path.join(args.out, base + ".h"), header)
        write_if_changed(os.path.join(args.out, base + ".cc"), source)
    header, source = cpp_emit.emit_registry(apis, snake)
    write_if_changed(os.path.join(args.out, "api_registry.h"), header)
    write_if_changed(os.path.join(args.out, "api_registry.cc"), source)
    header, source, all_messages = cpp_emit.emit_test_fill(apis, snake)
    write_if_changed(os.path.join(args.out, "all_messages.h"), all_messages)
    write_if_changed(os.path.join(args.out, "test_fill.h"), header)
    write_if_changed(os.path.join(args.out, "test_fill.cc"), source)
    if args.stamp:
        with open(args.stamp, "w", encoding="utf-8") as fh:
            fh.write("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
