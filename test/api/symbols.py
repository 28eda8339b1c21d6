#!/usr/bin/env python3
"""The exported symbols of libehcp.so are exactly the functions the public
headers declare with EHCP_EXPORT: nothing private leaks, nothing documented
is missing. usage: symbols.py LIBEHCP_SO INCLUDE_DIR"""
import os
import re
import subprocess
import sys

lib, include = sys.argv[1], sys.argv[2]
declared = set()
for root, _, files in os.walk(include):
    for name in files:
        if name.endswith(".h"):
            text = open(os.path.join(root, name), encoding="utf-8").read()
            text = re.sub(r"^#.*$", "", text, flags=re.M)  # the macro itself
            # EHCP_EXPORT <return type> <name>(  -- the name is the last word before '('
            for decl in re.findall(r"EHCP_EXPORT\s+([^;{]*?)\(", text):
                declared.add(re.findall(r"(\w+)\s*$", decl)[0])
nm = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True, check=True)
exported = {line.split()[-1].split("@")[0] for line in nm.stdout.splitlines()
            if line.split()[1] in ("T", "D", "B", "R")}
missing, extra = sorted(declared - exported), sorted(exported - declared)
for name in missing:
    print(f"declared in a header but not exported: {name}")
for name in extra:
    print(f"exported but not declared in a header: {name}")
print(f"symbols: {len(exported)} exported, {len(declared)} declared, "
      f"{len(missing)} missing, {len(extra)} extra")
sys.exit(1 if missing or extra else 0)
