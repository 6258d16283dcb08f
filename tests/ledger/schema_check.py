#!/usr/bin/python3
"""Validates corpus cases against the normative JSON Schemas in schemas/.

Usage: schema_check.py SCHEMA_DIR CORPUS_FILE...
Each corpus file is {"schema": "<file in SCHEMA_DIR>", "cases": [{"name", "payload" or
"payload_text", "valid"}]}. Prints {"results": [{"file", "name", "valid", "error"}]} on stdout;
"valid" is the schema's verdict, not the case's label (the caller compares). Exits 2 when
python3-jsonschema is missing or a schema is itself invalid.

JSON is read as the ledger reads it: duplicate keys, NaN/Infinity and lone surrogates are refused,
and numbers with a fraction or exponent are read as IEEE 754 doubles (beyond their range: refused)
but kept as decimals, so that "integer" means an integer literal (1.0 is not the integer 1: the log
hashes payload bytes). Patterns follow ECMA-262, where "$"
matches only at the very end (Python's "$" also matches before a final newline).
"""
import decimal
import json
import math
import os
import re
import sys

try:
    import jsonschema
    from jsonschema import validators
except ImportError:
    sys.exit("schema_check.py: python3-jsonschema is not installed (apt-get install python3-jsonschema)")


def refuse_duplicates(pairs):
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise ValueError('duplicate key "%s"' % key)
    return dict(pairs)


def refuse_constant(name):
    raise ValueError("%s is not JSON" % name)


def read_float(text):
    """The IEEE 754 double the ledger reads, kept as an exact decimal (so never an integer)."""
    number = float(text)
    if math.isinf(number):
        raise ValueError("number %s is out of range" % text)
    return decimal.Decimal(number)


def load_json(text):
    value = json.loads(text, object_pairs_hook=refuse_duplicates, parse_float=read_float,
                       parse_constant=refuse_constant)
    json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")  # lone surrogates raise
    return value


def ecma_pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not re.search(pattern.replace("$", r"\Z"), instance):
        yield jsonschema.ValidationError("%r does not match %r" % (instance, pattern))


Validator = validators.extend(jsonschema.Draft202012Validator, {"pattern": ecma_pattern})


def load_schemas(directory):
    store = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                schema = json.load(f)
            Validator.check_schema(schema)
            store[name] = schema
    return store


def check_case(validator, case):
    try:
        document = load_json(case["payload_text"]) if "payload_text" in case else case["payload"]
    except ValueError as e:
        return False, "not JSON: %s" % e
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return True, ""
    return False, "%s: %s" % ("/".join(str(p) for p in error.absolute_path), error.message[:300])


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    try:
        store = load_schemas(argv[0])
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        sys.exit("schema_check.py: bad schema: %s" % e)
    by_id = {schema["$id"]: schema for schema in store.values()}
    results = []
    for path in argv[1:]:
        with open(path, encoding="utf-8") as f:
            corpus = load_json(f.read())
        schema = store[corpus["schema"]]
        resolver = jsonschema.RefResolver(schema["$id"], schema, store=by_id)
        validator = Validator(schema, resolver=resolver)
        for case in corpus["cases"]:
            valid, error = check_case(validator, case)
            results.append({"file": os.path.basename(path), "name": case["name"], "valid": valid,
                            "error": error})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
