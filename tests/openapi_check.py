#!/usr/bin/env python3
"""Checks that schemas/openapi.yaml describes every route hazmond serves, and nothing else.

Routes come from the r.add("METHOD", "/path", ...) calls in src/api/routes*.cpp; the generic
/api/v1/{entity} routes expand to the registry collections named in
src/storage/registry_entities.cpp. The YAML is read line by line (standard library only, no YAML
parser): the path keys under `paths:` and the HTTP-method keys under each path. Also checked:
every `#/components/...` reference is defined and every relative file reference (with its
#/json/pointer, if any) exists.

Usage: openapi_check.py [PROJECT_SOURCE_DIR]   (default: the directory above this script)
Exits 0 when everything matches, 1 listing each problem otherwise.
"""
import json
import pathlib
import re
import sys

METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")


def served_routes(root):
    """{(METHOD, normalised path): path as written} from src/api/routes*.cpp, {entity} expanded."""
    routes_src = "\n".join(p.read_text(encoding="utf-8") for p in sorted((root / "src/api").glob("routes*.cpp")))
    entities_src = (root / "src/storage/registry_entities.cpp").read_text(encoding="utf-8")
    entities = re.findall(r'v\.push_back\(\s*\{\s*"([a-z0-9-]+)"', entities_src)
    if len(entities) == 0:
        sys.exit("openapi_check: found no registry collections in src/storage/registry_entities.cpp")
    calls = re.findall(r'\br\.add\(\s*"([A-Z]+)"\s*,\s*"([^"]+)"', routes_src)
    if len(calls) == 0:
        sys.exit("openapi_check: found no r.add(...) calls in src/api/routes*.cpp")
    out = {}
    for method, path in calls:
        for p in [path.replace("{entity}", e) for e in entities] if "{entity}" in path else [path]:
            out[(method, normalise(p))] = p
    return out, entities


def normalise(path):
    """Parameter names may differ between the code and the document; their places may not."""
    return re.sub(r"\{[^}/]*\}", "{}", path)


def strip_quotes(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s


def indent_of(line):
    return len(line) - len(line.lstrip(" "))


def top_level_block(lines, key):
    """The lines under a column-0 `key:` up to the next column-0 key."""
    out, inside = [], False
    for line in lines:
        if line.strip() == "" or line.lstrip().startswith("#"):
            if inside:
                out.append(line)
            continue
        if indent_of(line) == 0:
            if inside:
                break
            inside = line.rstrip() == key + ":"
            continue
        if inside:
            out.append(line)
    return out


def documented_operations(lines):
    """{(METHOD, normalised path): path as written} from the `paths:` section."""
    block = top_level_block(lines, "paths")
    ops = {}
    path_indent = method_indent = None
    current = None
    key_re = re.compile(r"^(\s*)([^\s#][^:]*?|'[^']*'|\"[^\"]*\"):(\s.*)?$")
    for line in block:
        if line.strip() == "" or line.lstrip().startswith("#"):
            continue
        m = key_re.match(line)
        ind = indent_of(line)
        if path_indent is None:
            path_indent = ind
        if ind == path_indent:
            current = strip_quotes(m.group(2)) if m else None
            if current is not None and not current.startswith("/"):
                current = None
            continue
        if current is None or not m:
            continue
        if method_indent is None:
            method_indent = ind
        if ind == method_indent and m.group(2) in METHODS:
            ops[(m.group(2).upper(), normalise(current))] = current
    return ops


def reference_problems(lines, schemas_dir):
    problems = []
    defined = set()
    block = top_level_block(lines, "components")
    kind = None
    for line in block:
        if line.strip() == "" or line.lstrip().startswith("#"):
            continue
        ind = indent_of(line)
        m = re.match(r"^\s*([A-Za-z0-9_.-]+|'[^']*'|\"[^\"]*\"):", line)
        if ind == 2 and m:
            kind = strip_quotes(m.group(1))
        elif ind == 4 and m and kind:
            defined.add(f"#/components/{kind}/{strip_quotes(m.group(1))}")
    for n, line in enumerate(lines, 1):
        m = re.match(r"^\s*(?:-\s+)?\$ref:\s*(.+?)\s*$", line)
        if not m:
            continue
        target = strip_quotes(m.group(1))
        if target.startswith("#/"):
            if target not in defined:
                problems.append(f"line {n}: $ref {target} is not defined under components")
        else:
            file_part, _, fragment = target.partition("#")
            shown = "schemas/" + file_part.removeprefix("./")
            if not (schemas_dir / file_part).is_file():
                problems.append(f"line {n}: $ref {target}: no file {shown}")
                continue
            if fragment and json_pointer(schemas_dir / file_part, fragment) is None:
                problems.append(f"line {n}: $ref {target}: {shown} has nothing at {fragment}")
    return problems


_json_cache = {}


def json_pointer(path, pointer):
    """The value at a JSON pointer in a JSON file, or None."""
    if path not in _json_cache:
        try:
            _json_cache[path] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _json_cache[path] = None
    node = _json_cache[path]
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    doc_path = root / "schemas/openapi.yaml"
    if not doc_path.is_file():
        print(f"openapi_check: {doc_path} does not exist")
        return 1
    lines = doc_path.read_text(encoding="utf-8").splitlines()
    served, entities = served_routes(root)
    documented = documented_operations(lines)

    problems = []
    for key in sorted(set(served) - set(documented), key=lambda k: (k[1], k[0])):
        problems.append(f"missing from schemas/openapi.yaml: {key[0]} {served[key]}")
    for key in sorted(set(documented) - set(served), key=lambda k: (k[1], k[0])):
        problems.append(f"documented but not served by src/api/routes*.cpp: {key[0]} {documented[key]}")
    for e in entities:
        if not (root / "schemas/registry" / f"{e}.schema.json").is_file():
            problems.append(f"registry collection {e} has no schemas/registry/{e}.schema.json")
    problems += reference_problems(lines, root / "schemas")

    if problems:
        print(f"openapi_check: {len(problems)} problem(s):")
        for p in problems:
            print("  " + p)
        return 1
    print(f"openapi_check: all {len(served)} operations served by src/api/routes*.cpp "
          f"({len(entities)} registry collections) are documented in schemas/openapi.yaml; "
          f"references resolve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
