#!/usr/bin/env python3
"""What the browser bundle's code is made of, for bench/REPORT.md.

    wasm_composition.py FILE.wasm [TOP]

Reads the wasm that rustc wrote for the front end (before splitting, wasm-bindgen and wasm-opt,
so it still has its name section), and sums the size of each function body by the first crate
its (v0-mangled) symbol names: for a generic function, the crate that defines it, whichever
crate instantiated it. Prints JSON: total code bytes and the TOP largest crates.
"""
import collections
import json
import re
import sys


def leb(d, i):
    r = s = 0
    while True:
        b = d[i]
        i += 1
        r |= (b & 0x7F) << s
        s += 7
        if b < 0x80:
            return r, i


def composition(path, top):
    d = open(path, "rb").read()
    i, sections = 8, []
    while i < len(d):
        sid = d[i]
        size, i = leb(d, i + 1)
        sections.append((sid, i, size))
        i += size
    imports, bodies, names = 0, [], {}
    for sid, start, size in sections:
        if sid == 2:  # imports: only functions are imported by wasm-bindgen output
            n, j = leb(d, start)
            for _ in range(n):
                for _ in range(2):
                    length, j = leb(d, j)
                    j += length
                kind = d[j]
                _, j = leb(d, j + 1)
                imports += kind == 0
        elif sid == 10:  # code
            n, j = leb(d, start)
            for _ in range(n):
                length, j = leb(d, j)
                bodies.append(length)
                j += length
        elif sid == 0:  # custom: the name section
            length, j = leb(d, start)
            if d[j : j + length] == b"name":
                j += length
                while j < start + size:
                    sub = d[j]
                    sub_size, j = leb(d, j + 1)
                    if sub == 1:
                        k = j
                        n, k = leb(d, k)
                        for _ in range(n):
                            idx, k = leb(d, k)
                            length, k = leb(d, k)
                            names[idx] = d[k : k + length].decode("utf8", "replace")
                            k += length
                    j += sub_size
    crate_rx = re.compile(r"C(?:s[0-9A-Za-z]*_)?(\d+)")
    by_crate = collections.Counter()
    for index, size in enumerate(bodies):
        name = names.get(index + imports, "")
        crate = "(unnamed)"
        for m in crate_rx.finditer(name):
            candidate = name[m.end() : m.end() + int(m.group(1))]
            if re.fullmatch(r"[a-z_][a-z0-9_]*", candidate):
                crate = candidate
                break
        else:
            if name.startswith("__wbindgen_describe"):
                crate = "wasm-bindgen descriptors (removed by wasm-bindgen)"
        by_crate[crate] += size
    return {"total": sum(bodies), "functions": len(bodies), "top": by_crate.most_common(top)}


if __name__ == "__main__":
    print(json.dumps(composition(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 12)))
