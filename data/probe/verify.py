#!/usr/bin/env python3
"""Check a real probe round's gold files against its documents: python3 data/probe/verify.py data/probe/real-rN

For each gold/<stem>.json: the JSON parses; "doc" names a file in docs/; no name or alias is
listed twice (within or across entities); every alias occurs in the raw text; every relation
endpoint is a listed canonical name; every evidence string is an exact substring of the raw file
(read as UTF-8 with newline=''); no evidence contains '<' or '&'; no relation is listed twice
(COOPERATES compared undirected).
"""
import json, pathlib, sys

HERE = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
LABELS = {"City", "Park", "Institute", "Enterprise", "Policy"}
TYPES = {"HOSTS", "FUNDS", "COOPERATES"}


def check(path):
    errs = []
    try:
        g = json.loads(path.read_text(encoding="utf-8"))
    except Exception as e:  # noqa: BLE001
        return [f"JSON does not parse: {e}"], None
    doc = HERE / "docs" / g.get("doc", "")
    if not doc.is_file():
        return [f"doc file missing: {g.get('doc')}"], None
    text = open(doc, encoding="utf-8", newline="").read()
    seen, names = set(), set()
    for ent in g["entities"]:
        if ent["label"] not in LABELS:
            errs.append(f"bad label {ent['label']} for {ent['name']}")
        for form in [ent["name"]] + ent["aliases"]:
            if form in seen:
                errs.append(f"form listed twice: {form}")
            seen.add(form)
        names.add(ent["name"])
        for a in ent["aliases"]:
            if a not in text:
                errs.append(f"alias not in text: {a}")
    rels = set()
    for r in g["relations"]:
        if r["type"] not in TYPES:
            errs.append(f"bad type {r['type']}")
        for end in (r["source"], r["target"]):
            if end not in names:
                errs.append(f"endpoint not a canonical name: {end}")
        ev = r["evidence"]
        if ev not in text:
            errs.append(f"evidence not in text: {ev}")
        if "<" in ev or "&" in ev:
            errs.append(f"evidence holds markup: {ev}")
        key = (r["type"],) + (tuple(sorted((r["source"], r["target"])))
                              if r["type"] == "COOPERATES" else (r["source"], r["target"]))
        if key in rels:
            errs.append(f"relation listed twice: {key}")
        rels.add(key)
        if r["amount_cny"] is not None and not isinstance(r["amount_cny"], (int, float)):
            errs.append(f"amount_cny not a number: {r}")
    return errs, g


def main():
    bad = 0
    for path in sorted((HERE / "gold").glob("*.json")):
        errs, g = check(path)
        if g is not None:
            by_label, by_type = {}, {}
            for e in g["entities"]:
                by_label[e["label"]] = by_label.get(e["label"], 0) + 1
            for r in g["relations"]:
                by_type[r["type"]] = by_type.get(r["type"], 0) + 1
            print(f"{path.name}: {len(g['entities'])} entities {by_label}, "
                  f"{len(g['relations'])} relations {by_type}")
        for e in errs:
            print("  FAIL", e)
        bad += bool(errs)
        if not errs:
            print("  ok")
    print("all files pass" if not bad else f"{bad} file(s) fail")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
