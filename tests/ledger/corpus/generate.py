#!/usr/bin/python3
"""Writes the schema conformance corpus (one <type>.json per event type, and envelope.json).

Run from anywhere: /usr/bin/python3 tests/ledger/corpus/generate.py. Each type starts from a
minimal and a full valid payload; mutations derived from the field kinds below give the invalid
(and boundary-valid) cases, each labelled with the verdict SPEC §3 and schemas/README.md require.
"""
import base64
import copy
import json
import os

ZERO = "0" * 64
PUBKEY = base64.b64encode(bytes(range(32))).decode()


def common(type_, **fields):
    payload = {"v": 1, "type": type_, "agent": "agent-1", "seq": 1, "prev": ZERO,
               "time": "2026-11-23T08:15:00Z"}
    payload.update(fields)
    return payload


FULL_COMMON = {"seq": 42, "prev": "ab" * 32, "time": "2026-11-23T08:15:00.123456789Z",
               "location": {"lat": -33.86, "lon": 151.2, "accuracy_m": 8.5},
               "note": "Checked by the joint team; all seals photographed."}

# type: (minimal fields, full fields)
TYPES = {
    "party.registered": (
        {"party": {"id": "acme", "name": "Acme GmbH", "country": "DE", "kind": "exporter"}},
        {"party": {"id": "gulf-ai:1", "name": "Gulf AI Cloud L.L.C.", "country": "AE",
                   "kind": "end_user"}}),
    "site.registered": (
        {"site": {"id": "dc-1", "party": "gulf-ai", "name": "DC 1", "country": "AE", "lat": 25.2,
                  "lon": 55.3}},
        {"site": {"id": "dc-1", "party": "gulf-ai", "name": "DC 1", "country": "AE", "lat": 25.2,
                  "lon": 55.3, "radius_m": 500, "power_kw": 12000}}),
    "agent.enrolled": (
        {"enroll": {"agent": "insp-1", "public_key": PUBKEY, "role": "inspector", "org": "iaea",
                    "sites": []}},
        {"enroll": {"agent": "op-1", "public_key": PUBKEY, "role": "site_operator",
                    "org": "gulf-ai", "sites": ["dc-1", "dc-2"],
                    "valid_until": "2027-12-31T23:59:59Z"}}),
    "agent.revoked": (
        {"revoke": {"agent": "op-1", "reason": "key lost"}},
        {"revoke": {"agent": "op-1", "reason": "Device stolen from the site office."}}),
    "license.issued": (
        {"license": {"id": "L-1", "exporter": "acme", "end_user": "gulf-ai", "sites": [],
                     "models": [], "max_quantity": 1, "purposes": [],
                     "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z"}},
        {"license": {"id": "L-1", "exporter": "acme", "end_user": "gulf-ai",
                     "sites": ["dc-1", "dc-2"], "models": ["H100", "B200"],
                     "max_quantity": 4096, "purposes": ["life_sciences", "weather"],
                     "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z",
                     "route": ["DE", "AE"]}}),
    "license.revoked": (
        {"license": "L-1", "reason": "breach"},
        {"license": "L-1", "reason": "End user diverted chips (finding 3f2a)."}),
    "screening.listed": (
        {"party": "shell-co", "list": "entity", "listed": True},
        {"name": "Shell Trading FZE", "list": "sdn", "listed": False}),
    "check.requested": (
        {"check": "C-1", "site": "dc-1", "kind": "challenge", "due": "2026-12-01T00:00:00Z"},
        {"check": "C-2", "site": "dc-1", "kind": "pre_license", "due": "2026-12-01T00:00:00.5Z"}),
    "whitelist.decision": (
        {"party": "gulf-ai", "status": "approved", "reason": "ok"},
        {"party": "gulf-ai", "status": "suspended", "reason": "Open critical finding D5."}),
    "finding.resolved": (
        {"finding": "3f2a9c", "resolution": "explained"},
        {"finding": "3f2a9c0d1e2f3a4b5c6d7e8f9a0b1c2d", "resolution": "Chip found in spares."}),
    "shipment.dispatched": (
        {"shipment": "S-1", "license": "L-1", "consignee": "gulf-ai", "destination_site": "dc-1",
         "chips": [{"serial": "A1", "model": "H100"}], "seals": [], "route": []},
        {"shipment": "S-1", "license": "L-1", "consignee": "gulf-ai", "destination_site": "dc-1",
         "chips": [{"serial": "A1", "model": "H100"}, {"serial": "A2", "model": "H100"}],
         "carrier": "dhl", "seals": ["seal-1", "seal-2"], "route": ["DE", "AE"]}),
    "shipment.received": (
        {"shipment": "S-1", "site": "dc-1", "chips": [], "seals": []},
        {"shipment": "S-1", "site": "dc-1", "chips": ["A1", "A2"],
         "seals": [{"id": "seal-1", "intact": True}, {"id": "seal-2", "intact": False}]}),
    "chip.installed": (
        {"site": "dc-1", "chips": []},
        {"site": "dc-1", "chips": [{"serial": "A1", "host": "node-07"},
                                   {"serial": "A2", "host": "node-07", "slot": "gpu3"}]}),
    "inspection.performed": (
        {"inspection": "I-1", "site": "dc-1", "kind": "routine", "observed": [], "seals": [],
         "purpose_observed": "life_sciences", "evidence": [], "result": "pass"},
        {"inspection": "I-1", "site": "dc-1", "check": "C-1", "kind": "challenge",
         "sampled": ["A1", "A2"],
         "observed": [{"serial": "A1", "attested_id": "hw:5f3c", "host": "node-07"},
                      {"serial": "A2"}],
         "seals": [{"id": "seal-1", "intact": True}], "purpose_observed": "life_sciences",
         "evidence": [{"sha256": "cd" * 32, "media_type": "image/jpeg",
                       "description": "Rack 7, front."}],
         "result": "inconclusive"}),
    "monitor.heartbeat": (
        {"site": "dc-1", "window_start": "2026-11-23T08:00:00Z",
         "window_end": "2026-11-23T08:15:00Z", "online": []},
        {"site": "dc-1", "window_start": "2026-11-23T08:00:00Z",
         "window_end": "2026-11-23T08:15:00Z",
         "online": [{"serial": "A1", "attested_id": "hw:5f3c"}, {"serial": "A2"}],
         "rtt_ms": {"fra-1": 112.5, "dxb-1": 2}}),
    "chip.transferred": (
        {"chips": [], "from_site": "dc-1", "to_site": "dc-2", "license": "L-1"},
        {"chips": ["A1", "A2"], "from_site": "dc-1", "to_site": "dc-2", "license": "L-1"}),
    "chip.decommissioned": (
        {"site": "dc-1", "chips": [], "reason": "failed", "disposition": "destroyed"},
        {"site": "dc-1", "chips": ["A1"], "reason": "Burnt VRM; returned for RMA.",
         "disposition": "returned"}),
}

ID_KEYS = {"agent", "id", "party", "org", "exporter", "end_user", "license", "check", "site",
           "shipment", "consignee", "destination_site", "carrier", "inspection", "from_site",
           "to_site", "finding"}
TIME_KEYS = {"time", "due", "valid_from", "valid_until", "window_start", "window_end"}
KIND_BY_KEY = {"serial": "serial", "country": "country", "prev": "sha256", "sha256": "sha256",
               "public_key": "public_key", "reason": "text", "resolution": "text",
               "description": "text", "name": "name", "model": "label", "host": "label",
               "slot": "label", "attested_id": "label", "media_type": "label",
               "purpose_observed": "label", "note": "note", "kind": "enum", "role": "enum",
               "list": "enum", "status": "enum", "result": "enum", "disposition": "enum"}
ITEM_KIND = {"sites": "id", "seals": "id", "route": "country", "models": "label",
             "purposes": "label", "chips": "serial", "sampled": "serial"}

# Fields SPEC §3 marks optional, as dotted paths ("*" for any list index; "" for every type).
OPTIONAL = {
    "": {"location", "note", "location.accuracy_m"},
    "site.registered": {"site.radius_m", "site.power_kw"},
    "agent.enrolled": {"enroll.valid_until"},
    "license.issued": {"license.route"},
    "shipment.dispatched": {"carrier"},
    "chip.installed": {"chips.*.slot"},
    "inspection.performed": {"check", "sampled", "observed.*.attested_id", "observed.*.host"},
    "monitor.heartbeat": {"rtt_ms", "online.*.attested_id"},
}
FREE_KEYED = {"rtt_ms"}  # maps whose keys are data, not field names

# kind: (invalid values, boundary-valid values)
VALUES = {
    "id": (["with space", "x" * 65, "", "caf\u00e9", "a/b"], ["A" * 64, "a:b.c_d-E9"]),
    "serial": (["a:b", "x" * 65, "", "a b"], ["S" * 64, "a.b_c-D9"]),
    "country": (["XK", "de", "DEU", "", "ZZ"], ["CN", "ZW"]),
    "time": (["2026-02-30T00:00:00Z", "2026-11-23T08:15:00+01:00", "2026-11-23 08:15:00Z",
              "2026-11-23T24:00:00Z", "2026-11-23T08:15:00.1234567890Z", "1969-12-31T23:59:59Z",
              "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-11-23T08:15:60Z",
              "2026-11-23T08:15:00z", "2026-11-23T08:15:00.Z", "2262-01-01T00:00:00Z"],
             ["2024-02-29T23:59:59.999999999Z", "2000-02-29T00:00:00Z", "1970-01-01T00:00:00Z",
              "2261-12-31T23:59:59Z"]),
    "sha256": (["A" * 64, "0" * 63, "g" * 64, "0" * 65], ["f" * 64]),
    "public_key": (["AAAA", base64.b64encode(bytes(31)).decode(), PUBKEY[:-2] + "B=",
                    PUBKEY[:-1]], ["/" * 42 + "w="]),
    "text": (["", "x" * 2001, "\u00e9" * 2001], ["\u00e9" * 2000, "x"]),
    "name": (["", "n" * 201], ["n" * 200, "\u6c49" * 200]),
    "label": (["", "x" * 129, "\u00e9" * 129], ["\u00e9" * 128]),
    "note": (["x" * 2001, "\U0001F600" * 2001], ["", "\U0001F600" * 2000]),
    "enum": (["bogus", ""], []),
}


def leaf_kind(key, parent_key):
    if key is None:
        return ITEM_KIND.get(parent_key)
    if key in KIND_BY_KEY:
        return KIND_BY_KEY[key]
    return "id" if key in ID_KEYS else ("time" if key in TIME_KEYS else None)


def walk(value, path=(), key=None, parent_key=None):
    """Yields (path, key, parent_key, value) for every node below the root."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield path + (k,), k, key, v
            yield from walk(v, path + (k,), k, key)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield path + (i,), None, key, v
            yield from walk(v, path + (i,), None, key)


def edit(payload, path, new=None, delete=False):
    out = copy.deepcopy(payload)
    node = out
    for step in path[:-1]:
        node = node[step]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = new
    return out


def wrong_type(value):
    if isinstance(value, bool):
        return "true"
    if isinstance(value, (int, float)):
        return "7"
    if isinstance(value, str):
        return 7
    return [] if isinstance(value, dict) else {}


def name_of(path):
    return ".".join(str(p) for p in path)


def mutations(type_, minimal, full):
    cases = [("minimal", minimal, True), ("full", full, True)]
    for label, payload in (("minimal", minimal), ("full", full)):
        seen_kinds = set()
        for path, key, parent_key, value in walk(payload):
            if key is not None and label == "minimal":
                cases.append(("%s missing" % name_of(path), edit(payload, path, delete=True),
                              False))
            cases.append(("%s %s wrong type" % (label, name_of(path)),
                          edit(payload, path, wrong_type(value)), False))
            if isinstance(value, dict) and key not in FREE_KEYED:
                cases.append(("%s %s unknown field" % (label, name_of(path)),
                              edit(payload, path + ("zz_unknown",), 1), False))
            kind = leaf_kind(key, parent_key) if isinstance(value, str) else None
            if kind is None:
                continue
            bad, good = VALUES[kind]
            if kind == "enum":
                bad = bad + [value.upper()]
            first = kind not in seen_kinds
            seen_kinds.add(kind)
            for i, v in enumerate(bad if first else bad[:1]):
                cases.append(("%s %s bad %s %d" % (label, name_of(path), kind, i),
                              edit(payload, path, v), False))
            for i, v in enumerate(good if first else []):
                cases.append(("%s %s boundary %s %d" % (label, name_of(path), kind, i),
                              edit(payload, path, v), True))
    for path, key, _, _ in walk(full):
        if key is not None and optional_pattern(path) in OPTIONAL.get(type_, set()) | OPTIONAL[""]:
            cases.append(("full without optional %s" % name_of(path),
                          edit(full, path, delete=True), True))
    cases.append(("unknown top-level field", dict(minimal, extra=1), False))
    return cases


def optional_pattern(path):
    return ".".join("*" if isinstance(p, int) else p for p in path)


def edge_cases(type_, minimal):
    """Numbers, JSON text edges and cross-field rules: common ones for every type, then the type's own."""
    cases = [("seq 1.0", dict(minimal, seq=1.0), False), ("seq 0", dict(minimal, seq=0), False),
             ("seq 2^53-1", dict(minimal, seq=2**53 - 1), True),
             ("seq 2^53", dict(minimal, seq=2**53), False),
             ("seq 2^64", dict(minimal, seq=2**64), False),
             ("seq 1e0", None, False), ("v 2", dict(minimal, v=2), False),
             ("v 1.0", dict(minimal, v=1.0), False), ("v true", dict(minimal, v=True), False),
             ("type unknown", dict(minimal, type="shipment.lost"), False),
             ("location poles", dict(minimal, location={"lat": 90, "lon": -180}), True),
             ("location lat 90.5", dict(minimal, location={"lat": 90.5, "lon": 0}), False),
             ("location lon 180.01", dict(minimal, location={"lat": 0, "lon": 180.01}), False),
             ("location accuracy -1",
              dict(minimal, location={"lat": 0, "lon": 0, "accuracy_m": -1}), False),
             ("location without lon", dict(minimal, location={"lat": 0}), False),
             ("location lat string", dict(minimal, location={"lat": "1", "lon": 0}), False)]
    located = text_of(dict(minimal, location={"lat": 0, "lon": 0, "accuracy_m": 7}))
    cases += [("accuracy beyond double range", located.replace(":7}", ":1e400}"), False),
              ("lat rounding to 90 as a double", located.replace('"lat":0', '"lat":90.00000000000000001'), True),
              ("lat just above 90 as a double", located.replace('"lat":0', '"lat":90.0000000000001'), False)]
    text = text_of(minimal)
    cases[5] = ("seq 1e0", text.replace('"seq":1', '"seq":1e0'), False)
    cases.append(("duplicate key", text[:-1] + ',"agent":"agent-2"}', False))
    cases.append(("duplicate key nested", text.replace('{"v":1', '{"location":{"lat":1,"lat":2,'
                                                       '"lon":0},"v":1'), False))
    cases.append(("not an object", "[" + text + "]", False))
    cases.append(("NaN", text.replace('"seq":1', '"seq":NaN'), False))
    cases.append(("byte-order mark", "\ufeff" + text, False))
    cases.append(("surrounding whitespace", " \n" + text + "\t\r\n", True))
    cases.append(("trailing garbage", text + "x", False))
    cases.append(("two objects", text + text, False))
    cases.append(("NUL then bytes after the object", text + "\u0000\u00ff\u00fe" + text, False))
    cases.append(("NUL alone after the object", text + "\u0000", False))
    cases.append(("raw NUL in a string", text[:-1] + ',"note":"a\u0000b"}', False))
    cases.append(("note with lone surrogate", text[:-1] + ',"note":"a\\ud800b"}', False))
    cases.append(("note with escaped surrogate pair", text[:-1] + ',"note":"\\ud83d\\ude00"}', True))
    cases.append(("note with escaped NUL", text[:-1] + ',"note":"a\\u0000b"}', True))
    cases.append(("note null", dict(minimal, note=None), False))
    if type_ == "site.registered":
        site = minimal["site"]
        for key, value, valid in (("radius_m", 0, False), ("radius_m", 0.5, True),
                                  ("radius_m", -1, False), ("power_kw", 0, True),
                                  ("power_kw", -0.1, False), ("lat", -90.01, False),
                                  ("lon", 180, True)):
            cases.append(("site %s %s" % (key, value),
                          dict(minimal, site=dict(site, **{key: value})), valid))
        tiny = text_of(dict(minimal, site=dict(site, radius_m=7))).replace(":7}", ":1e-400}")
        cases.append(("site radius_m underflowing to 0", tiny, False))
    if type_ == "license.issued":
        lic = minimal["license"]
        for value, valid in ((0, False), (1.5, False), (2**53 - 1, True), (2**53, False)):
            cases.append(("max_quantity %s" % value,
                          dict(minimal, license=dict(lic, max_quantity=value)), valid))
    if type_ == "monitor.heartbeat":
        for rtt, valid in (({}, True), ({"": 1}, False), ({"x" * 129: 1}, False),
                           ({"\u00e9" * 128: 0}, True), ({"fra": -0.5}, False),
                           ({"fra": "1"}, False), ({"fra": None}, False)):
            cases.append(("rtt_ms %s" % json.dumps(rtt)[:40], dict(minimal, rtt_ms=rtt), valid))
    if type_ == "screening.listed":
        cases.append(("screening both party and name", dict(minimal, name="Shell Co"), False))
        neither = dict(minimal)
        del neither["party"]
        cases.append(("screening neither party nor name", neither, False))
    if type_ == "shipment.dispatched":
        cases.append(("no chips", dict(minimal, chips=[]), False))
    return cases


def text_of(payload):
    return json.dumps(payload, separators=(",", ":"))


def as_case(name, payload, valid):
    case = {"name": name}
    case["payload_text" if isinstance(payload, str) else "payload"] = payload
    case["valid"] = valid
    return case


def envelope_cases():
    payload = base64.b64encode(b'{"v":1}').decode()
    sig = {"keyid": "ab" * 32, "sig": base64.b64encode(bytes(range(64))).decode()}
    good = {"payloadType": "application/vnd.chipledger.event.v1+json", "payload": payload,
            "signatures": [sig]}
    cases = [("valid", good, True),
             ("two signatures", dict(good, signatures=[sig, dict(sig, keyid="cd" * 32)]), True),
             ("empty payload", dict(good, payload=""), True),
             ("one padding byte", dict(good, payload="YWI="), True),
             ("two padding bytes", dict(good, payload="YQ=="), True)]
    for name, env in (("no signatures", dict(good, signatures=[])),
                      ("wrong payloadType", dict(good, payloadType="application/json")),
                      ("unknown field", dict(good, extra=1)),
                      ("payload not base64", dict(good, payload="e30")),
                      ("payload non-canonical", dict(good, payload="YR==")),
                      ("payload with newline", dict(good, payload=payload + "\n")),
                      ("payload url-safe", dict(good, payload="-_-_")),
                      ("sig too short", dict(good, signatures=[dict(sig, sig="AAAA")])),
                      ("sig non-canonical",
                       dict(good, signatures=[dict(sig, sig=sig["sig"][:-3] + "B==")])),
                      ("keyid uppercase", dict(good, signatures=[dict(sig, keyid="AB" * 32)])),
                      ("keyid short", dict(good, signatures=[dict(sig, keyid="ab" * 31)])),
                      ("signature extra field", dict(good, signatures=[dict(sig, extra=1)])),
                      ("signature missing sig", dict(good, signatures=[{"keyid": "ab" * 32}])),
                      ("signatures not array", dict(good, signatures=sig)),
                      ("payload not string", dict(good, payload=7))):
        cases.append((name, env, False))
    missing = dict(good)
    del missing["payloadType"]
    cases.append(("missing payloadType", missing, False))
    text = json.dumps(good, separators=(",", ":"))
    cases.append(("duplicate key", text[:-1] + ',"payload":"e30="}', False))
    cases.append(("NUL then bytes after the envelope", text + "\u0000junk", False))
    return {"schema": "envelope.json", "cases": [as_case(*c) for c in cases]}


def main():
    out_dir = os.path.dirname(os.path.abspath(__file__))
    for type_, (minimal_fields, full_fields) in TYPES.items():
        minimal = common(type_, **minimal_fields)
        full = dict(common(type_, **full_fields), **FULL_COMMON)
        cases = mutations(type_, minimal, full) + edge_cases(type_, minimal)
        names = [c[0] for c in cases]
        assert len(names) == len(set(names)), type_
        corpus = {"schema": type_ + ".json", "cases": [as_case(*c) for c in cases]}
        write(os.path.join(out_dir, type_ + ".json"), corpus)
    write(os.path.join(out_dir, "envelope.json"), envelope_cases())


def write(path, corpus):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(corpus, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
