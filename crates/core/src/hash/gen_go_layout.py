#!/usr/bin/env python3
"""Generate `go_layout.rs`: the Go struct layouts Go's `encoding/json` follows when it marshals
`corev1.PodTemplateSpec` (k8s.io/api, k8s.io/apimachinery) and Argo Rollouts' `v1alpha1.CanaryStep`.

For every struct reachable from the roots the table lists its fields in Go *declaration* order with
their JSON name, `omitempty` / `omitzero`, whether the field is embedded (promoted into the parent
object), and the field's value type. Types with their own JSON marshalling (resource.Quantity,
intstr.IntOrString, metav1.Time, ...) are mapped to dedicated shapes instead of being walked.

Sources are read from git directories at a given revision (`GITDIR@REV`) or from plain
directories (`DIR`), so the bare mirrors of the three repositories can be used directly:

    gen_go_layout.py \
        --api /path/to/kubernetes-api.git@v0.34.5 \
        --apimachinery /path/to/kubernetes-apimachinery.git@v0.34.5 \
        --rollouts /path/to/argo-rollouts.git@9f8d111d8 > go_layout.rs

The revisions are recorded in the header of the output. The script fails loudly on any Go
construct it does not understand rather than guessing.
"""

import argparse
import os
import re
import subprocess
import sys

# Short package names used in the table, by Go import path.
PACKAGES = {
    "k8s.io/api/core/v1": ("corev1", "api", "core/v1"),
    "k8s.io/apimachinery/pkg/apis/meta/v1": ("metav1", "apimachinery", "pkg/apis/meta/v1"),
    "github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1": (
        "v1alpha1",
        "rollouts",
        "pkg/apis/rollouts/v1alpha1",
    ),
}

# Named types whose JSON form comes from their own MarshalJSON (or that are plain aliases of a
# builtin in a package we do not parse). Keyed by (import path, type name).
SPECIAL = {
    ("k8s.io/apimachinery/pkg/api/resource", "Quantity"): "Quantity",
    ("k8s.io/apimachinery/pkg/util/intstr", "IntOrString"): "IntOrString",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "Time"): "Time",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "MicroTime"): "MicroTime",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "Duration"): "Duration",
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "FieldsV1"): "Raw",
    ("k8s.io/apimachinery/pkg/runtime", "RawExtension"): "Raw",
    ("encoding/json", "RawMessage"): "Raw",
    ("k8s.io/apimachinery/pkg/types", "UID"): "Str",
}

# Types whose `IsZero` method decides `omitzero` (Go calls it instead of comparing to the zero value).
# The Rust side knows how each of these decides; any other type with an IsZero method is an error.
ISZERO_SHAPES = {"Time", "MicroTime", "Quantity"}

BUILTINS = {
    "string": "Str",
    "bool": "Bool",
    "int": "Int",
    "int8": "Int",
    "int16": "Int",
    "int32": "Int",
    "int64": "Int",
    "uint": "Uint",
    "uint8": "Uint",
    "byte": "Uint",
    "uint16": "Uint",
    "uint32": "Uint",
    "uint64": "Uint",
    "float32": "Float",
    "float64": "Float",
}

ROOTS = [
    ("k8s.io/api/core/v1", "PodTemplateSpec"),
    ("github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1", "CanaryStep"),
]

# Structs whose index the Rust code names (besides the roots).
NAMED = [("k8s.io/api/core/v1", "VolumeSource")]


class Source:
    """A directory tree, either on disk or inside a git repository at a revision."""

    def __init__(self, spec):
        self.spec = spec
        if "@" in spec:
            self.git, self.rev = spec.rsplit("@", 1)
            self.commit = self._git("rev-parse", f"{self.rev}^{{commit}}").strip()
        else:
            self.git, self.rev, self.commit = None, None, None
            self.root = spec

    def _git(self, *args):
        return subprocess.run(
            ["git", "--git-dir", self.git, *args], check=True, capture_output=True, text=True
        ).stdout

    def describe(self):
        if self.git is None:
            return self.root
        return f"{self.rev} ({self.commit})" if self.rev != self.commit else self.commit

    def list(self, directory):
        if self.git is None:
            return sorted(os.listdir(os.path.join(self.root, directory)))
        out = self._git("ls-tree", "--name-only", f"{self.commit}:{directory}")
        return sorted(out.split())

    def read(self, path):
        if self.git is None:
            with open(os.path.join(self.root, path), encoding="utf-8") as fh:
                return fh.read()
        return self._git("show", f"{self.commit}:{path}")


def strip_comments(text):
    """Remove // and /* */ comments, leaving string, rune and raw-string literals intact."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif c == "`":
            j = text.find("`", i + 1)
            out.append(text[i : j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


IMPORT_LINE_RE = re.compile(r'^(?:([\w.]+)\s+)?"([^"]+)"$')
TYPE_HEAD_RE = re.compile(r"^type\s+(\w+)\s*(=\s*)?(.*)$")
TAG_RE = re.compile(r'(\w+):"([^"]*)"')


class GoPackage:
    """The type declarations of one Go package: structs (ordered fields) and other named types."""

    def __init__(self, path, source, directory):
        self.path = path
        self.structs = {}  # name -> [(go names, type expr, tag dict, imports)]
        self.named = {}  # name -> (type expr, imports)
        for name in source.list(directory):
            if not name.endswith(".go") or name.endswith("_test.go"):
                continue
            if name.startswith(("zz_generated", "generated.pb")) or "swagger_doc" in name:
                continue
            if name.startswith("openapi_generated"):
                continue
            self._parse_file(strip_comments(source.read(f"{directory}/{name}")))

    def _parse_file(self, text):
        lines = text.splitlines()
        imports = {}
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            if line.startswith("import"):
                rest = line[len("import") :].strip()
                if rest.startswith("("):
                    i += 1
                    while lines[i].strip() != ")":
                        self._add_import(imports, lines[i].strip())
                        i += 1
                else:
                    self._add_import(imports, rest)
            elif line.startswith("type ("):
                i += 1
                while lines[i].strip() != ")":
                    i = self._parse_type(lines, i, "type " + lines[i].strip(), imports)
            elif line.startswith("type "):
                i = self._parse_type(lines, i, line, imports) - 1
            i += 1

    @staticmethod
    def _add_import(imports, line):
        if not line:
            return
        m = IMPORT_LINE_RE.match(line)
        if not m:
            sys.exit(f"cannot parse import line: {line}")
        alias, path = m.group(1), m.group(2)
        imports[alias or path.rsplit("/", 1)[-1]] = path

    def _parse_type(self, lines, i, line, imports):
        """Parse the declaration starting at lines[i]; return the index of the next line."""
        m = TYPE_HEAD_RE.match(line)
        if not m:
            sys.exit(f"{self.path}: cannot parse type declaration: {line}")
        name, expr = m.group(1), m.group(3).strip()
        if m.group(2) and expr.startswith("struct"):
            sys.exit(f"{self.path}.{name}: struct type alias not supported")
        if expr in ("struct {", "struct{"):
            fields = []
            i += 1
            while lines[i].strip() != "}":
                field = lines[i].strip()
                if field:
                    if field.endswith("{"):
                        sys.exit(f"{self.path}.{name}: nested struct or interface not supported: {field}")
                    fields.append(self._parse_field(name, field, imports))
                i += 1
            self.structs[name] = fields
            return i + 1
        if expr.endswith("{") and expr != "interface{}" and not expr.endswith("interface {"):
            # Not a struct body (e.g. an interface); skip to its closing brace.
            depth = expr.count("{") - expr.count("}")
            while depth > 0:
                i += 1
                depth += lines[i].count("{") - lines[i].count("}")
            return i + 1
        self.named[name] = (expr, imports)
        return i + 1

    def _parse_field(self, struct, line, imports):
        tag = {}
        if "`" in line:
            decl, raw_tag = line.split("`", 2)[:2]
            tag = dict(TAG_RE.findall(raw_tag))
        else:
            decl = line
        decl = decl.strip()
        m = re.match(r"^([\w, ]+?)\s+(\S.*)$", decl)
        if m and not decl.startswith("*") and "." not in m.group(1):
            names = [n.strip() for n in m.group(1).split(",")]
            return (names, m.group(2).strip(), tag, imports)
        if re.match(r"^\*?[\w.]+$", decl):
            return (None, decl, tag, imports)  # embedded
        sys.exit(f"{self.path}.{struct}: cannot parse field: {line}")


class Generator:
    def __init__(self, sources):
        self.sources = sources
        self.packages = {}
        self.order = []  # (import path, struct name)
        self.index = {}
        self.rendered = {}

    def package(self, path):
        if path not in self.packages:
            if path not in PACKAGES:
                sys.exit(f"package {path} is not parsed; add it to PACKAGES or SPECIAL")
            _, source_key, directory = PACKAGES[path]
            self.packages[path] = GoPackage(path, self.sources[source_key], directory)
        return self.packages[path]

    def qualified(self, path, name):
        return f"{PACKAGES[path][0]}.{name}"

    def resolve_named(self, pkg_path, ident, imports):
        """Resolve `Name` or `alias.Name` to (import path, name)."""
        if "." in ident:
            alias, name = ident.split(".", 1)
            if alias not in imports:
                sys.exit(f"{pkg_path}: unknown package alias {alias} in {ident}")
            return imports[alias], name
        return pkg_path, ident

    def ty(self, pkg_path, expr, imports, context):
        """Rust `Ty` expression for a Go type expression; also returns the base shape name."""
        expr = expr.strip()
        if expr.startswith("*"):
            inner, shape = self.ty(pkg_path, expr[1:], imports, context)
            return f"Ptr(&{inner})", "Ptr"
        if expr.startswith("[]"):
            elem = expr[2:].strip()
            if elem in ("byte", "uint8"):
                return "Bytes", "Bytes"
            inner, _ = self.ty(pkg_path, elem, imports, context)
            return f"Slice(&{inner})", "Slice"
        if expr.startswith("["):
            sys.exit(f"{context}: arrays are not supported: {expr}")
        if expr.startswith("map["):
            depth, j = 0, 3
            for j in range(3, len(expr)):
                depth += {"[": 1, "]": -1}.get(expr[j], 0)
                if depth == 0:
                    break
            key, value = expr[4:j], expr[j + 1 :]
            _, key_shape = self.ty(pkg_path, key, imports, context)
            if key_shape != "Str":
                sys.exit(f"{context}: map keys of shape {key_shape} are not supported: {expr}")
            inner, _ = self.ty(pkg_path, value, imports, context)
            return f"Map(&{inner})", "Map"
        if expr in ("interface{}", "any"):
            return "Raw", "Raw"
        if expr in BUILTINS:
            return BUILTINS[expr], BUILTINS[expr]
        if not re.match(r"^[\w.]+$", expr):
            sys.exit(f"{context}: unsupported type expression {expr}")
        path, name = self.resolve_named(pkg_path, expr, imports)
        if (path, name) in SPECIAL:
            shape = SPECIAL[(path, name)]
            return shape, shape
        pkg = self.package(path)
        if name in pkg.structs:
            return f"Struct({self.visit(path, name)})", "Struct"
        if name in pkg.named:
            under, under_imports = pkg.named[name]
            return self.ty(path, under, under_imports, f"{path}.{name}")
        sys.exit(f"{context}: type {path}.{name} not found")

    def visit(self, path, name):
        key = (path, name)
        if key in self.index:
            return self.index[key]
        pkg = self.package(path)
        if name not in pkg.structs:
            sys.exit(f"struct {path}.{name} not found")
        self.index[key] = len(self.order)
        self.order.append(key)
        lines = []
        for names, expr, tag, imports in pkg.structs[name]:
            context = f"{self.qualified(path, name)}"
            json_tag = tag.get("json")
            parts = json_tag.split(",") if json_tag is not None else [""]
            json_name, options = parts[0], parts[1:]
            if json_name == "-" and not options:
                continue
            flags = []
            if "omitempty" in options:
                flags.append("OE")
            if "omitzero" in options:
                flags.append("OZ")
            rust_ty, shape = self.ty(path, expr, imports, context)
            if "OZ" in flags:
                self.check_omitzero(path, expr, imports, context, shape)
            if names is None:
                base = expr.lstrip("*")
                exported = base.rsplit(".", 1)[-1][:1].isupper()
                if json_name:
                    lines.append((json_name, rust_ty, flags))
                elif rust_ty.startswith("Struct("):
                    lines.append(("", rust_ty, flags + ["INL"]))
                elif rust_ty.startswith("Ptr(&Struct("):
                    sys.exit(f"{context}: embedded pointer structs are not supported: {expr}")
                elif exported:
                    lines.append((base.rsplit(".", 1)[-1], rust_ty, flags))
                continue
            for go_name in names:
                if not go_name[:1].isupper():
                    continue
                lines.append((json_name or go_name, rust_ty, flags))
        self.rendered[key] = lines
        return self.index[key]

    def check_omitzero(self, path, expr, imports, context, shape):
        """omitzero consults IsZero when the type has one; only the known shapes are supported."""
        if shape in ISZERO_SHAPES or shape in ("Ptr", "Slice", "Map", "Str", "Bool", "Int", "Uint", "Float"):
            return
        if shape == "Struct":
            target_path, target = self.resolve_named(path, expr.lstrip("*"), imports)
            text = " ".join(self.sources_text(target_path))
            if re.search(rf"func \(\w+ \*?{target}\) IsZero\(\)", text):
                sys.exit(f"{context}: omitzero on {target}, which has an IsZero method")
            return
        sys.exit(f"{context}: omitzero on a field of shape {shape} is not supported")

    def sources_text(self, path):
        _, source_key, directory = PACKAGES[path]
        source = self.sources[source_key]
        return [source.read(f"{directory}/{n}") for n in source.list(directory) if n.endswith(".go")]

    def render(self):
        for path, name in ROOTS:
            self.visit(path, name)
        out = [
            "// Generated by `gen_go_layout.py` in this directory from the Go sources of:",
            f"//   k8s.io/api {self.sources['api'].describe()}",
            f"//   k8s.io/apimachinery {self.sources['apimachinery'].describe()}",
            f"//   github.com/argoproj/argo-rollouts {self.sources['rollouts'].describe()}",
            "// Do not edit by hand; re-run the script instead.",
            "",
        ]
        body = [
            "/// Every Go struct reachable from `corev1.PodTemplateSpec` and `v1alpha1.CanaryStep`, with its",
            "/// fields in declaration order; `Struct(n)` refers to entry `n`.",
            "pub(super) static STRUCTS: &[GoStruct] = &[",
        ]
        for idx, (path, name) in enumerate(self.order):
            fields = self.rendered[(path, name)]
            head = f'    // {idx}\n    GoStruct {{ name: "{self.qualified(path, name)}", fields: &['
            if not fields:
                body.append(head + "] },")
                continue
            body.append(head)
            for json_name, rust_ty, flags in fields:
                flag_text = " | ".join(flags) if flags else "0"
                body.append(f'        f("{json_name}", {rust_ty}, {flag_text}),')
            body.append("    ] },")
        body.append("];")
        for path, name in ROOTS + NAMED:
            constant = re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()
            body += ["", f"/// Index of `{self.qualified(path, name)}` in [`STRUCTS`].",
                     f"pub(super) const {constant}: u16 = {self.index[(path, name)]};"]
        text = "\n".join(body)
        shapes = sorted({s for _, rust_ty, _ in sum(self.rendered.values(), []) for s in re.findall(r"\w+", rust_ty)
                         if not s.isdigit()})
        consts = [c for c in ["INL", "OE", "OZ"] if re.search(rf"\b{c}\b", text)]
        out.append(f"use super::layout::Ty::{{{', '.join(shapes)}}};")
        out.append(f"use super::layout::{{{', '.join(['GoStruct', 'f'] + consts)}}};")
        out.append("")
        return "\n".join(out) + "\n" + text + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--api", required=True, help="k8s.io/api checkout: DIR or GITDIR@REV")
    parser.add_argument("--apimachinery", required=True, help="k8s.io/apimachinery: DIR or GITDIR@REV")
    parser.add_argument("--rollouts", required=True, help="argo-rollouts: DIR or GITDIR@REV")
    args = parser.parse_args()
    sources = {
        "api": Source(args.api),
        "apimachinery": Source(args.apimachinery),
        "rollouts": Source(args.rollouts),
    }
    sys.stdout.write(Generator(sources).render())


if __name__ == "__main__":
    main()
