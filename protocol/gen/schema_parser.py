"""Parser for Keel's message schema files (docs/schema-format.md).

Produces an Api with request/response Struct trees. Every problem is reported as a
SchemaError naming the file and line, so a schema author sees exactly what to fix.
"""

import re
from dataclasses import dataclass, field
from typing import Optional

PRIMITIVES = {
    "bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64",
    "uuid", "string", "bytes", "records",
}
NULLABLE_PRIMITIVES = {"string", "bytes", "records"}
INF = 1 << 15


class SchemaError(Exception):
    pass


@dataclass(frozen=True)
class Versions:
    lo: int
    hi: int  # inclusive; INF for "and later"

    def empty(self):
        return self.lo > self.hi

    def intersect(self, other):
        return Versions(max(self.lo, other.lo), min(self.hi, other.hi))

    def contains(self, other):
        return other.empty() or (self.lo <= other.lo and other.hi <= self.hi)

    def __str__(self):
        if self.empty():
            return "none"
        return f"{self.lo}+" if self.hi >= INF else f"{self.lo}-{self.hi}"


NONE = Versions(1, 0)


def parse_versions(text):
    if text == "none":
        return NONE
    m = re.fullmatch(r"(\d+)(\+|-(\d+))?", text)
    if not m:
        raise ValueError(f"bad version range '{text}'")
    lo = int(m.group(1))
    if m.group(2) == "+":
        return Versions(lo, INF)
    hi = int(m.group(3)) if m.group(3) else lo
    if hi < lo:
        raise ValueError(f"empty version range '{text}'")
    return Versions(lo, hi)


@dataclass
class Field:
    name: str
    type: str            # schema type as written, e.g. "int32", "[]string", "[]Topic", "Cursor"
    versions: Versions
    nullable: Versions = NONE
    tag: Optional[int] = None
    default: Optional[str] = None
    ignorable: bool = False
    struct: Optional["Struct"] = None  # for struct and struct-array types
    line: int = 0

    @property
    def is_array(self):
        return self.type.startswith("[]")

    @property
    def element_type(self):
        return self.type[2:] if self.is_array else self.type

    @property
    def is_struct(self):
        return self.element_type not in PRIMITIVES

    @property
    def can_be_null(self):
        return not self.nullable.empty()


@dataclass
class Struct:
    name: str
    fields: list = field(default_factory=list)


@dataclass
class Api:
    name: str
    key: int
    versions: Versions
    flexible: Versions
    request: Struct
    response: Struct
    common: dict
    path: str = ""


_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
_STRUCT_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")


def _tokens(line):
    """Splits a line on whitespace, keeping double-quoted strings whole; drops comments."""
    out, cur, quoted = [], "", False
    for ch in line:
        if quoted:
            cur += ch
            if ch == '"':
                quoted = False
        elif ch == '"':
            cur += ch
            quoted = True
        elif ch == "#":
            break
        elif ch.isspace():
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if quoted:
        raise ValueError("unterminated string")
    if cur:
        out.append(cur)
    return out


class _Parser:
    def __init__(self, path, text):
        self.path = path
        self.lines = text.splitlines()
        self.header = {}
        self.sections = {}   # "request"/"response"/"struct Name" -> Struct
        self.common = {}
        self.struct_names = {}

    def error(self, lineno, message):
        raise SchemaError(f"{self.path}:{lineno}: {message}")

    def parse(self):
        section = None
        stack = []  # (indent level, Struct) of the structs open in this section
        for lineno, raw in enumerate(self.lines, 1):
            try:
                toks = _tokens(raw)
            except ValueError as e:
                self.error(lineno, str(e))
            if not toks:
                continue
            indent = len(raw) - len(raw.lstrip(" "))
            if "\t" in raw[:indent + 1]:
                self.error(lineno, "indent with spaces, not tabs")
            if indent == 0:
                section = self.top_level(lineno, toks)
                stack = [(0, section)] if section else []
                continue
            if section is None:
                self.error(lineno, "field line outside a request/response/struct section")
            if indent % 2:
                self.error(lineno, "indentation must be a multiple of two spaces")
            level = indent // 2
            while stack and stack[-1][0] >= level:
                stack.pop()
            if not stack or stack[-1][0] != level - 1:
                self.error(lineno, "field is indented deeper than its parent allows")
            parent = stack[-1][1]
            f = self.field(lineno, toks)
            if any(x.name == f.name for x in parent.fields):
                self.error(lineno, f"duplicate field '{f.name}' in {parent.name}")
            parent.fields.append(f)
            if f.is_struct:
                f.struct = Struct(f.element_type)
                stack.append((level, f.struct))
        return self.finish()

    def top_level(self, lineno, toks):
        word = toks[0]
        if word in ("api", "key", "versions", "flexible"):
            if len(toks) != 2:
                self.error(lineno, f"'{word}' takes exactly one value")
            if word in self.header:
                self.error(lineno, f"'{word}' given twice")
            self.header[word] = (toks[1], lineno)
            return None
        if word in ("request", "response"):
            if len(toks) != 1:
                self.error(lineno, f"'{word}' takes no value")
            if word in self.sections:
                self.error(lineno, f"section '{word}' given twice")
            s = Struct(word)
            self.sections[word] = s
            return s
        if word == "struct":
            if len(toks) != 2 or not _STRUCT_NAME.fullmatch(toks[1]):
                self.error(lineno, "expected 'struct CamelCaseName'")
            if toks[1] in self.common:
                self.error(lineno, f"common struct '{toks[1]}' defined twice")
            s = Struct(toks[1])
            self.common[toks[1]] = s
            return s
        self.error(lineno, f"unknown top-level word '{word}'")

    def field(self, lineno, toks):
        if len(toks) < 2:
            self.error(lineno, "a field needs a name and a type")
        name, typ = toks[0], toks[1]
        if not _FIELD_NAME.fullmatch(name):
            self.error(lineno, f"field name '{name}' must be snake_case")
        elem = typ[2:] if typ.startswith("[]") else typ
        if elem not in PRIMITIVES and not _STRUCT_NAME.fullmatch(elem):
            self.error(lineno, f"unknown type '{typ}'")
        if typ.startswith("[]") and elem == "records":
            self.error(lineno, "arrays of records are not a Kafka type")
        f = Field(name=name, type=typ, versions=Versions(0, INF), line=lineno)
        rest = toks[2:]
        if rest and "=" not in rest[0] and rest[0] != "ignorable":
            try:
                f.versions = parse_versions(rest[0])
            except ValueError as e:
                self.error(lineno, str(e))
            rest = rest[1:]
        for tok in rest:
            if tok == "ignorable":
                f.ignorable = True
                continue
            if "=" not in tok:
                self.error(lineno, f"unexpected '{tok}' (attributes are key=value)")
            key, value = tok.split("=", 1)
            try:
                if key == "nullable":
                    f.nullable = parse_versions(value)
                elif key == "tag":
                    if not value.isdigit():
                        raise ValueError(f"tag must be a number, not '{value}'")
                    f.tag = int(value)
                elif key == "default":
                    f.default = value
                else:
                    raise ValueError(f"unknown attribute '{key}'")
            except ValueError as e:
                self.error(lineno, str(e))
        if not f.nullable.empty() and not (f.is_array or f.is_struct or elem in NULLABLE_PRIMITIVES):
            self.error(lineno, f"type '{typ}' cannot be nullable")
        self.check_default(lineno, f)
        return f

    def check_default(self, lineno, f):
        d = f.default
        if d is None:
            return
        if d == "null":
            if f.nullable.empty():
                self.error(lineno, "default=null needs nullable=")
            return
        if f.is_array or f.is_struct:
            self.error(lineno, "arrays and structs take only default=null")
        t = f.type
        if t == "bool" and d not in ("true", "false"):
            self.error(lineno, "bool default must be true or false")
        if t.startswith("int") or t.startswith("uint"):
            if not re.fullmatch(r"-?(\d+|0x[0-9a-fA-F]+)", d):
                self.error(lineno, f"bad integer default '{d}'")
        if t == "float64" and not re.fullmatch(r"-?\d+(\.\d+)?", d):
            self.error(lineno, f"bad float default '{d}'")
        if t == "string" and not (len(d) >= 2 and d[0] == d[-1] == '"'):
            self.error(lineno, "string default must be double-quoted")
        if t in ("bytes", "records", "uuid"):
            self.error(lineno, f"type '{t}' takes no default other than null")

    def finish(self):
        for word in ("api", "key", "versions", "flexible"):
            if word not in self.header:
                raise SchemaError(f"{self.path}: missing '{word}' line")
        name, ln = self.header["api"]
        if not _STRUCT_NAME.fullmatch(name):
            self.error(ln, "api name must be CamelCase")
        key_text, ln = self.header["key"]
        if not key_text.isdigit():
            self.error(ln, "key must be a number")
        try:
            versions = parse_versions(self.header["versions"][0])
            if versions.hi >= INF:
                raise ValueError("versions needs an upper bound")
            flex_text = self.header["flexible"][0]
            flexible = NONE if flex_text == "none" else parse_versions(flex_text)
            if not flexible.empty():
                flexible = Versions(flexible.lo, INF)
        except ValueError as e:
            self.error(self.header["versions"][1], str(e))
        for word in ("request", "response"):
            if word not in self.sections:
                raise SchemaError(f"{self.path}: missing '{word}' section")
        api = Api(name, int(key_text), versions, flexible,
                  self.sections["request"], self.sections["response"], self.common, self.path)
        for s in list(self.common.values()) + [api.request, api.response]:
            self.resolve(api, s)
        return api

    def resolve(self, api, struct):
        tags = {}
        for f in struct.fields:
            if f.is_struct and not f.struct.fields:
                # No indented children: a reference to a common struct.
                if f.element_type not in self.common:
                    self.error(f.line, f"struct '{f.element_type}' has no fields and no 'struct' section")
                f.struct = self.common[f.element_type]
            elif f.is_struct and f.struct.name not in self.common:
                seen = self.struct_names.get(f.struct.name)
                if seen is not None and seen is not f.struct:
                    self.error(f.line, f"struct name '{f.struct.name}' defined twice")
                self.struct_names[f.struct.name] = f.struct
            elif f.is_struct:
                self.error(f.line, f"struct '{f.struct.name}' is also a common struct")
            if f.tag is not None:
                if f.tag in tags:
                    self.error(f.line, f"tag {f.tag} used twice in {struct.name}")
                tags[f.tag] = f
                if api.flexible.empty() or not api.flexible.contains(f.versions.intersect(api.versions)):
                    self.error(f.line, "tagged field versions must lie inside the flexible versions")
                if f.versions.hi >= INF and f.versions.lo < api.flexible.lo:
                    self.error(f.line, "tagged field versions must lie inside the flexible versions")
            if f.struct is not None and f.struct.name not in self.common:
                self.resolve(api, f.struct)


def parse_file(path):
    with open(path, encoding="utf-8") as fh:
        return _Parser(path, fh.read()).parse()
