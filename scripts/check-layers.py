#!/usr/bin/env python3
"""Fails when a crate's modules import each other in a circle.

Each file of a crate's `src/` is a node; `crate::a::b` and `super::x` paths (in `use` lines or
inline) are edges to the file that defines the named module. A file that declares a submodule
(`mod x;`) does not import it by that; importing from it (`x::Item`) does. Strongly connected
components of more than one file are reported."""
import re
import sys
from pathlib import Path


def module_of(src: Path, file: Path) -> tuple:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def resolve(modules: set, path: tuple) -> tuple | None:
    """The longest module prefix of `path` that is a file of the crate."""
    for end in range(len(path), 0, -1):
        if path[:end] in modules:
            return path[:end]
    return None


def strip_tests(text: str) -> str:
    """Test modules may reach anywhere; only the shipped code counts."""
    cut = re.search(r"^#\[cfg\(test\)\]\s*\n\s*mod tests", text, re.M)
    return text[: cut.start()] if cut else text


def split_top(text: str) -> list:
    """`a, b::{c, d}, e` split on the commas outside braces."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def flatten(tree: str) -> list:
    """`super::{a, b::{c, self}}` as `super::a`, `super::b::c`, `super::b`: a group imports from
    the module it names, which the path pattern alone would not see (it stops at `::{`)."""
    tree = re.sub(r"\s+as\s+\w+$", "", tree.strip())
    head, brace, rest = tree.partition("{")
    if not brace:
        return [tree]
    prefix = head.rstrip(":").rstrip()
    out = []
    for item in split_top(rest[: rest.rfind("}")]):
        for path in flatten(item):
            out.append(prefix if path == "self" else f"{prefix}::{path}" if prefix else path)
    return out


def expand_use_groups(text: str) -> str:
    return re.sub(r"\buse\s+([^;]*\{[^;]*);", lambda m: " ".join(f"use {p};" for p in flatten(m.group(1))), text)


def edges(src: Path):
    files = {module_of(src, f): f for f in src.rglob("*.rs")}
    modules = set(files)
    graph = {m: set() for m in modules}
    path_re = re.compile(r"\b((?:crate|super|self)(?:::(?:super|[A-Za-z_][A-Za-z0-9_]*))+|[a-z_][a-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+)")
    for module, file in files.items():
        text = expand_use_groups(strip_tests(re.sub(r"//.*", "", file.read_text())))
        children = set(re.findall(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([a-z_0-9]+)\s*;", text, re.M))
        for raw in path_re.findall(text):
            segs = raw.split("::")
            if segs[0] == "crate":
                target = tuple(segs[1:])
            elif segs[0] in ("super", "self"):
                base = list(module)
                while segs and segs[0] in ("super", "self"):
                    if segs[0] == "super":
                        base = base[:-1]
                    segs = segs[1:]
                target = tuple(base + segs)
            elif segs[0] in children:
                target = tuple(list(module) + segs)
            else:
                continue
            found = resolve(modules, target)
            if found is not None and found != module:
                graph[module].add(found)
    return graph


def cycles(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main():
    failed = False
    for crate in sys.argv[1:]:
        src = Path(crate) / "src"
        found = cycles(edges(src))
        for comp in found:
            failed = True
            names = ", ".join("::".join(m) or "lib" for m in comp)
            print(f"{crate}: import circle between {names}")
        if not found:
            print(f"{crate}: no import circle")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
