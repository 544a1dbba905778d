#!/usr/bin/env python3
"""Every path ARCHITECTURE.md names exists.

A path is a backticked token with a '/' or a file ending. Templates are
expanded over the four services and checked for each of them:
`<svc>/...` at the start of a path (and `docs/<svc>.md`) is the service's
folder, `inventory-svc`; `<svc>` elsewhere its short name, `inventory`;
`<service>` the proto package folder (`inventory`, `cases`, ...); `{h,cc}`
both endings. Tokens with any other placeholder (`<domain>`, `NNNN`, `*`)
are left out.
"""
import os
import re
import sys

ROOT = os.environ.get("AFTERCARE_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVICES = [("inventory-svc", "inventory", "inventory"), ("case-svc", "case", "cases"),
            ("rma-svc", "rma", "rma"), ("licensing-svc", "licensing", "licensing")]
ENDINGS = (".md", ".cc", ".h", ".proto", ".sql", ".py", ".sh", ".txt", ".yaml", ".mjs")


def candidates(text):
    for token in re.findall(r"`([^`\s]+)`", text):
        token = token.rstrip(",.;:")
        if "/" not in token and not token.endswith(ENDINGS):
            continue
        if token.startswith(("-", "http", "grpc_", "aftercare.", "type.")) or "(" in token:
            continue
        if token[0].isupper():  # an RPC, InventoryService/GetUnit
            continue
        yield token


def expand(token):
    if re.search(r"NNNN|\*", token):
        return []
    forms = [token]
    if "{h,cc}" in token:
        forms = [token.replace("{h,cc}", "h"), token.replace("{h,cc}", "cc")]
    out = []
    for form in forms:
        if "<svc>" in form or "<service>" in form:
            for folder, short, package in SERVICES:
                f = re.sub(r"^<svc>", folder, form)
                f = f.replace("<svc>.md", folder + ".md").replace("<svc>", short)
                f = f.replace("<service>", package)
                out.append(f)
        else:
            out.append(form)
    return [f for f in out if not re.search(r"<[a-z-]+>", f)]


def main():
    path = os.path.join(ROOT, "ARCHITECTURE.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    checked, missing = 0, []
    for token in candidates(text):
        for p in expand(token):
            checked += 1
            if not os.path.exists(os.path.join(ROOT, p)):
                missing.append(f"{token} -> {p}" if p != token else p)
    for m in missing:
        print(f"ARCHITECTURE.md names a path that does not exist: {m}")
    if checked < 50:
        print(f"only {checked} paths found in ARCHITECTURE.md; the extraction is broken")
        return 1
    print(f"{checked} paths checked, {len(missing)} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
