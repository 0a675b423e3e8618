#!/usr/bin/env python3
"""Generate `schema_table.rs` from the Kubernetes API's protobuf definitions.

The wire layout (field numbers, scalar types, message types, repeated/map) comes
from the `generated.proto` files; the JSON behaviour (JSON name, `omitempty`,
pointer-ness, embedded structs) comes from the Go struct tags in the `*.go`
files beside them, because Kubernetes' JSON is Go's `encoding/json` output of
those structs.

Usage:
    gen_schema_table.py API_DIR APIMACHINERY_DIR [--revision TEXT] > schema_table.rs

API_DIR is a checkout of k8s.io/api (contains core/v1/generated.proto) and
APIMACHINERY_DIR one of k8s.io/apimachinery (contains pkg/apis/meta/v1/...).
--revision is free text recorded in the header (e.g. the two commits).
Only messages reachable from ROOTS are emitted.
"""

import argparse
import os
import re
import sys

API_PKG = "k8s.io.api."
MACHINERY_PKG = "k8s.io.apimachinery."
META = "k8s.io.apimachinery.pkg.apis.meta.v1"

# (apiVersion, kind, proto package, message). apiVersion "meta.k8s.io/v1" marks
# the option kinds every group version registers.
ROOTS = [
    ("v1", k, "k8s.io.api.core.v1", k)
    for k in [
        "Namespace", "Pod", "PodTemplate", "Service", "Endpoints", "ConfigMap", "Secret", "Event",
        "ServiceAccount", "ResourceQuota", "LimitRange", "PersistentVolumeClaim", "PersistentVolume",
        "Node", "ReplicationController", "Binding",
    ]
] + [
    ("apps/v1", k, "k8s.io.api.apps.v1", k)
    for k in ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision"]
] + [
    ("batch/v1", "Job", "k8s.io.api.batch.v1", "Job"),
    ("batch/v1", "CronJob", "k8s.io.api.batch.v1", "CronJob"),
    ("policy/v1", "Eviction", "k8s.io.api.policy.v1", "Eviction"),
    ("policy/v1", "PodDisruptionBudget", "k8s.io.api.policy.v1", "PodDisruptionBudget"),
    ("networking.k8s.io/v1", "Ingress", "k8s.io.api.networking.v1", "Ingress"),
    ("networking.k8s.io/v1", "IngressClass", "k8s.io.api.networking.v1", "IngressClass"),
    ("networking.k8s.io/v1", "NetworkPolicy", "k8s.io.api.networking.v1", "NetworkPolicy"),
    ("coordination.k8s.io/v1", "Lease", "k8s.io.api.coordination.v1", "Lease"),
    ("autoscaling/v1", "Scale", "k8s.io.api.autoscaling.v1", "Scale"),
    ("autoscaling/v1", "HorizontalPodAutoscaler", "k8s.io.api.autoscaling.v1", "HorizontalPodAutoscaler"),
    ("autoscaling/v2", "HorizontalPodAutoscaler", "k8s.io.api.autoscaling.v2", "HorizontalPodAutoscaler"),
    ("discovery.k8s.io/v1", "EndpointSlice", "k8s.io.api.discovery.v1", "EndpointSlice"),
    ("events.k8s.io/v1", "Event", "k8s.io.api.events.v1", "Event"),
    ("scheduling.k8s.io/v1", "PriorityClass", "k8s.io.api.scheduling.v1", "PriorityClass"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest", "k8s.io.api.certificates.v1", "CertificateSigningRequest"),
] + [
    ("rbac.authorization.k8s.io/v1", k, "k8s.io.api.rbac.v1", k)
    for k in ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]
] + [
    ("authentication.k8s.io/v1", k, "k8s.io.api.authentication.v1", k)
    for k in ["TokenRequest", "TokenReview", "SelfSubjectReview"]
] + [
    ("authorization.k8s.io/v1", k, "k8s.io.api.authorization.v1", k)
    for k in ["SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview", "LocalSubjectAccessReview"]
] + [
    ("meta.k8s.io/v1", k, META, k)
    for k in ["DeleteOptions", "CreateOptions", "UpdateOptions", "PatchOptions", "GetOptions", "ListOptions", "Status"]
]

# Messages whose Go type has its own JSON marshalling.
SPECIAL_SHAPES = {
    (META, "Time"): "Time",
    (META, "MicroTime"): "MicroTime",
    (META, "Duration"): "Duration",
    (META, "FieldsV1"): "RawJson",
    ("k8s.io.apimachinery.pkg.runtime", "RawExtension"): "RawJson",
    ("k8s.io.apimachinery.pkg.api.resource", "Quantity"): "Quantity",
    ("k8s.io.apimachinery.pkg.util.intstr", "IntOrString"): "IntOrString",
}

SCALARS = {
    "int32": "I32", "int64": "I64", "uint32": "U32", "uint64": "U64", "bool": "Bool",
    "string": "Str", "bytes": "Bytes", "double": "F64", "float": "F32",
}


def package_dir(pkg, api_dir, machinery_dir):
    if pkg.startswith(API_PKG):
        return os.path.join(api_dir, *pkg[len(API_PKG):].split("."))
    if pkg.startswith(MACHINERY_PKG):
        return os.path.join(machinery_dir, *pkg[len(MACHINERY_PKG):].split("."))
    sys.exit(f"unknown proto package {pkg}")


def strip_proto_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


FIELD_RE = re.compile(r"^(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*(\[[^\]]*\])?\s*;$")
MAP_RE = re.compile(r"^map\s*<\s*([\w.]+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;$")


def parse_proto(path):
    """Return {message name: [(number, proto name, card, type name, key type)]} in declaration order."""
    with open(path, encoding="utf-8") as fh:
        text = strip_proto_comments(fh.read())
    messages = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = re.match(r"^message\s+(\w+)\s*\{\s*(\})?$", line)
        if m:
            if current is not None:
                sys.exit(f"{path}: nested message {m.group(1)} not supported")
            messages[m.group(1)] = []
            current = None if m.group(2) else m.group(1)
            continue
        if line == "}":
            current = None
            continue
        if current is None:
            continue
        m = FIELD_RE.match(line)
        if m:
            card = "Rep" if m.group(1) == "repeated" else "One"
            messages[current].append((int(m.group(4)), m.group(3), card, m.group(2), None))
            continue
        m = MAP_RE.match(line)
        if m:
            messages[current].append((int(m.group(4)), m.group(3), "Map", m.group(2), m.group(1)))
            continue
        if line.startswith(("option ", "reserved ")):
            continue
        sys.exit(f"{path}: cannot parse line in {current}: {line}")
    return messages


GO_STRUCT_RE = re.compile(r"^type\s+(\w+)\s+struct\s*\{\s*$")
GO_SLICE_RE = re.compile(r"^type\s+(\w+)\s+\[\]")
TAG_RE = re.compile(r'(\w+):"([^"]*)"')


def parse_go_package(directory):
    """Return ({struct: {field number: info}}, {named slice types}) from the package's Go sources."""
    structs, slices = {}, set()
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".go") or name.endswith("_test.go"):
            continue
        if name.startswith(("zz_generated", "generated.pb")) or "swagger_doc" in name:
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        current = None
        for raw in lines:
            line = raw.strip()
            m = GO_SLICE_RE.match(line)
            if m:
                slices.add(m.group(1))
            m = GO_STRUCT_RE.match(line)
            if m:
                current = structs.setdefault(m.group(1), {})
                continue
            if current is None:
                continue
            if line == "}":
                current = None
                continue
            if line.startswith("//") or "`" not in line:
                continue
            decl, tag = line.split("`", 2)[:2]
            tags = dict(TAG_RE.findall(tag))
            proto = tags.get("protobuf")
            if not proto or proto == "-":
                continue
            parts = decl.split()
            embedded = len(parts) == 1
            go_type = parts[0] if embedded else parts[1]
            json_parts = tags.get("json", "").split(",")
            number = int(proto.split(",")[1])
            current[number] = {
                "json": json_parts[0],
                "omitempty": "omitempty" in json_parts[1:],
                "omitzero": "omitzero" in json_parts[1:],
                "pointer": go_type.startswith("*"),
                "embedded": embedded,
            }
    return structs, slices


class Generator:
    def __init__(self, api_dir, machinery_dir):
        self.api_dir = api_dir
        self.machinery_dir = machinery_dir
        self.protos = {}
        self.gos = {}
        self.order = []
        self.index = {}

    def package(self, pkg):
        if pkg not in self.protos:
            directory = package_dir(pkg, self.api_dir, self.machinery_dir)
            self.protos[pkg] = parse_proto(os.path.join(directory, "generated.proto"))
            self.gos[pkg] = parse_go_package(directory)
        return self.protos[pkg], self.gos[pkg]

    def resolve(self, pkg, type_name):
        if type_name.startswith("."):
            full = type_name[1:]
            return full.rsplit(".", 1)
        return pkg, type_name

    def visit(self, pkg, name):
        key = (pkg, name)
        if key in self.index:
            return self.index[key]
        protos, _ = self.package(pkg)
        if name not in protos:
            sys.exit(f"message {pkg}.{name} not found")
        self.index[key] = len(self.order)
        self.order.append(key)
        for _, _, _, type_name, _ in protos[name]:
            if type_name not in SCALARS:
                self.visit(*self.resolve(pkg, type_name))
        return self.index[key]

    def shape(self, pkg, name):
        if (pkg, name) in SPECIAL_SHAPES:
            return SPECIAL_SHAPES[(pkg, name)]
        protos, (_, slices) = self.package(pkg)
        fields = protos[name]
        if name in slices and len(fields) == 1 and fields[0][1] == "items" and fields[0][2] == "Rep":
            return "List"
        return "Struct"

    def ty(self, pkg, type_name):
        if type_name in SCALARS:
            return SCALARS[type_name]
        return f"Msg({self.index[tuple(self.resolve(pkg, type_name))]})"

    def field_line(self, pkg, name, field, go):
        number, proto_name, card, type_name, key_type = field
        if card == "Map" and key_type != "string":
            sys.exit(f"{pkg}.{name}.{proto_name}: map key {key_type} not supported")
        # Messages with their own JSON marshalling are decoded by field number; their Go tags are irrelevant.
        info = go.get(number) if self.shape(pkg, name) == "Struct" else None
        json_name, flags = proto_name, []
        if info is not None:
            if info["json"] == "-":
                return None
            if info["embedded"] and not info["json"]:
                flags.append("INL")
            elif info["json"]:
                json_name = info["json"]
                if json_name != proto_name:
                    print(f"note: {pkg}.{name} field {number}: json {json_name} != proto {proto_name}", file=sys.stderr)
            if info["omitempty"]:
                flags.append("OE")
            if info["omitzero"]:
                flags.append("OZ")
            if info["pointer"]:
                flags.append("PTR")
        elif self.shape(pkg, name) == "Struct":
            print(f"note: {pkg}.{name} field {number} ({proto_name}) has no Go tag", file=sys.stderr)
        flag_text = " | ".join(flags) if flags else "0"
        return f'f({number}, "{json_name}", {self.ty(pkg, type_name)}, {card}, {flag_text}),'

    def render(self, revision):
        for api_version, kind, pkg, name in ROOTS:
            self.visit(pkg, name)
        out = [
            "// Generated from the Kubernetes API's protobuf definitions (the `generated.proto` files of",
            "// k8s.io/api and k8s.io/apimachinery) and the Go struct tags beside them, by",
            "// `gen_schema_table.py` in this directory. Do not edit by hand; re-run the script instead.",
        ]
        if revision:
            out.append(f"// Sources: {revision}")
        body = [
            "/// Every message reachable from [`KINDS`], referenced by index from `Msg(..)`.",
            "pub(super) static MESSAGES: &[Message] = &[",
        ]
        for idx, (pkg, name) in enumerate(self.order):
            protos, (structs, _) = self.package(pkg)
            go = structs.get(name, {})
            shape = self.shape(pkg, name)
            lines = [self.field_line(pkg, name, field, go) for field in protos[name]]
            lines = [line for line in lines if line is not None]
            head = f'    // {idx}\n    Message {{ name: "{pkg}.{name}", shape: {shape}, fields: &['
            if not lines:
                body.append(head + "] },")
                continue
            body.append(head)
            body += [f"        {line}" for line in lines]
            body.append("    ] },")
        body.append("];")
        body += ["", "/// Top-level kinds a request body may carry, by apiVersion and kind.", "pub(super) static KINDS: &[KindEntry] = &["]
        for api_version, kind, pkg, name in ROOTS:
            idx = self.index[(pkg, name)]
            body.append(f'    KindEntry {{ api_version: "{api_version}", kind: "{kind}", message: {idx} }},')
        body.append("];")
        text = "\n".join(body)
        out.append("")
        out += self.imports(text)
        out.append("")
        return "\n".join(out) + "\n" + text + "\n"

    @staticmethod
    def imports(text):
        """`use` lines for exactly the table vocabulary that `text` mentions."""
        groups = [
            ("Card", ["Map", "One", "Rep"], r", {}, "),
            ("Shape", ["Duration", "IntOrString", "List", "MicroTime", "Quantity", "RawJson", "Struct", "Time"], r"shape: {}\b"),
            ("Ty", ["Bool", "Bytes", "F32", "F64", "I32", "I64", "Msg", "Str", "U32", "U64"], r'", {}\b'),
        ]
        lines = []
        for enum, names, pattern in groups:
            used = [n for n in names if re.search(pattern.format(n), text)]
            if used:
                lines.append(f"use super::schema::{enum}::{{{', '.join(used)}}};")
        consts = [c for c in ["INL", "OE", "OZ", "PTR"] if re.search(rf"\b{c}\b", text)]
        lines.append(f"use super::schema::{{{', '.join(['KindEntry', 'Message', 'f'] + consts)}}};")
        return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("api_dir")
    parser.add_argument("apimachinery_dir")
    parser.add_argument("--revision", default="")
    args = parser.parse_args()
    gen = Generator(args.api_dir, args.apimachinery_dir)
    sys.stdout.write(gen.render(args.revision))


if __name__ == "__main__":
    main()
