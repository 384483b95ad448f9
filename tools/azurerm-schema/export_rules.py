#!/usr/bin/env python3
"""Export the azurerm provider's schema rules at a tag into rules-azurerm-<version>.json.gz.

Reads hashicorp/terraform-provider-azurerm's Go source at a tag from a git directory (no work tree, no Go, no
network) and writes every rule dualstack_aks/azurerm_schema/check.py checks, for every resource and data source registered at
the tag or listed in its `.release/provider-schema.json`: attributes and nested blocks with Type,
Required/Optional/Computed, MaxItems/MinItems, ConflictsWith/ExactlyOneOf/AtLeastOneOf/RequiredWith, the
validators it can check (with their arguments) and the Go file:line of each, timeouts, and the constructs that
could not be read ("rules not parsed") per type.

How the rules are read: the service registrations (`SupportedResources`/`SupportedDataSources` for untyped,
`Resources`/`DataSources` for typed resources, `if features.FivePointOh()` evaluated as in 4.x) give each type's
schema builder, which a small interpreter of the Go subset used by schemas runs (composite literals, helper calls
across packages and vendored SDKs, constants, `PossibleValuesFor...()`, struct fields, embedded types, range
loops, ifs, assignments into nested schemas).  Each type is read by a fresh interpreter, so its notes are its own.
Self-test: every type read is compared with the generated `.release/provider-schema.json` at the same tag (names,
Type, Required/Optional/Computed, MaxItems/MinItems, nesting, timeouts); each disagreement is a rule not parsed.

Usage: export_rules.py [--git-dir D] [--tag v4.55.0 [--tag v4.81.0]] [--out-dir DIR]
Standard library only; git must be on PATH.
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import time

DEFAULT_GIT = ""  # set AZURERM_GIT_DIR or --git-dir: a git dir of hashicorp/terraform-provider-azurerm
# The project's rules files, which dualstack_aks/azurerm_schema/check.py reads.
RULES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dualstack_aks", "azurerm_schema", "rules")
MODULE = "github.com/hashicorp/terraform-provider-azurerm/"
VALIDATION_PKGS = {"github.com/hashicorp/terraform-plugin-sdk/v2/helper/validation", MODULE + "internal/tf/validation"}
SCHEMA_PKGS = {"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema", MODULE + "internal/tf/pluginsdk"}
FEATURES_PKG = MODULE + "internal/features"
CHECKED_VALIDATORS = {
    "StringInSlice",
    "IntBetween",
    "IntAtLeast",
    "IntAtMost",
    "IntInSlice",
    "IntDivisibleBy",
    "FloatBetween",
    "FloatAtLeast",
    "StringIsNotEmpty",
    "StringIsNotWhiteSpace",
    "StringLenBetween",
    "IsUUID",
    "All",
    "Any",
}
MAX_DEPTH = 60
SCHEMA_FIELDS = {
    "Type",
    "Required",
    "Optional",
    "Computed",
    "Elem",
    "MaxItems",
    "MinItems",
    "ConflictsWith",
    "ExactlyOneOf",
    "AtLeastOneOf",
    "RequiredWith",
    "ValidateFunc",
    "ValidateDiagFunc",
    "ConfigMode",
    "ForceNew",
    "Sensitive",
    "Deprecated",
}
RESOURCE_FIELDS = {"Schema", "SchemaFunc", "Timeouts"}


class GoError(Exception):
    pass


# ----------------------------------------------------------------------------------------------- git access
class GitTree:
    def __init__(self, gitdir, tag):
        self.gitdir, self.tag = gitdir, tag
        r = subprocess.run(["git", "--git-dir", gitdir, "ls-tree", "-r", tag], capture_output=True, text=True, check=False)
        if r.returncode:
            raise GoError(f"cannot list {tag} in {gitdir}: {r.stderr.strip()}")
        self.blobs, self.dirs = {}, {}
        for line in r.stdout.splitlines():
            meta, path = line.split("\t", 1)
            _, typ, sha = meta.split()
            if typ == "blob":
                self.blobs[path] = sha
                self.dirs.setdefault(path.rsplit("/", 1)[0] if "/" in path else "", []).append(path)
        self.proc = subprocess.Popen(["git", "--git-dir", gitdir, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.cache, self.missing = {}, set()

    def read(self, path):
        if path in self.cache:
            return self.cache[path]
        sha = self.blobs.get(path)
        text = None
        if sha:
            self.proc.stdin.write((sha + "\n").encode())
            self.proc.stdin.flush()
            header = self.proc.stdout.readline().decode()
            if header.rstrip().endswith("missing"):
                self.missing.add(path)
            else:
                size = int(header.split()[2])
                data = self.proc.stdout.read(size)
                self.proc.stdout.read(1)
                text = data.decode("utf-8", "replace")
        self.cache[path] = text
        return text

    def grep(self, patterns, paths):
        args = ["git", "--git-dir", self.gitdir, "grep", "-n", "-E"]
        for p in patterns:
            args += ["-e", p]
        r = subprocess.run([*args, self.tag, "--", *paths], capture_output=True, text=True, check=False)
        out = []
        for line in r.stdout.splitlines():
            _, path, num, text = line.split(":", 3)
            out.append((path, int(num), text))
        return out


# ----------------------------------------------------------------------------------------------- Go lexer
_TOK = re.compile(
    r"""
 (?P<ws>[ \t\r\f]+)
|(?P<nl>\n)
|(?P<lc>//[^\n]*)
|(?P<bc>/\*.*?\*/)
|(?P<raw>`[^`]*`)
|(?P<str>"(?:[^"\\\n]|\\.)*")
|(?P<char>'(?:[^'\\\n]|\\[^']*)')
|(?P<num>(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)i?)
|(?P<id>[^\W\d]\w*)
|(?P<op>\.\.\.|<<=|>>=|&\^=|&&|\|\||<-|\+\+|--|==|!=|<=|>=|:=|\+=|-=|\*=|/=|%=|&=|\|=|\^=|<<|>>|&\^|[-+*/%&|^<>=!()\[\]{},;.:~])
""",
    re.VERBOSE | re.DOTALL,
)
KEYWORDS = {
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
}
_ESC = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", re.DOTALL)
_ESC_MAP = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"', "'": "'"}


def _unescape(s):
    def rep(m):
        e = m.group(1)
        if e[0] in "xuU":
            return chr(int(e[1:], 16))
        if e[0] in "01234567" and len(e) == 3:
            return chr(int(e, 8))
        return _ESC_MAP.get(e, e)

    return _ESC.sub(rep, s)


def _num(v):
    v = v.replace("_", "")
    if v.endswith("i"):
        return None
    low = v.lower()
    if low.startswith("0x"):
        return int(low, 16)
    if low.startswith("0b"):
        return int(low, 0)
    if low.startswith("0o"):
        return int(low, 0)
    if any(c in low for c in ".e"):
        return float(low)
    if len(low) > 1 and low.startswith("0"):
        return int(low, 8)
    return int(low)


def lex_decl(text, pos, line):
    """Tokens of one top-level declaration starting at pos: up to the first ';' (explicit or inserted at a
    newline) at bracket depth 0.  Token = (kind, value, line); kinds: id kw lit op ;"""
    toks, depth, n = [], 0, len(text)
    last = None
    while pos < n:
        m = _TOK.match(text, pos)
        if not m:
            raise GoError(f"cannot lex {text[pos : pos + 10]!r} (line {line})")
        kind, v = m.lastgroup, m.group()
        pos = m.end()
        if kind in ("ws", "lc"):
            continue
        if kind == "nl" or (kind == "bc" and "\n" in v):
            if last is not None and (
                last[0] in ("id", "lit")
                or last[1] in (")", "]", "}", "++", "--")
                or (last[0] == "kw" and last[1] in ("break", "continue", "fallthrough", "return"))
            ):
                toks.append((";", "\n", line))
                last = None
                if depth == 0:
                    return toks
            line += v.count("\n")
            continue
        if kind == "bc":
            continue
        if kind == "id":
            tok = ("kw" if v in KEYWORDS else "id", v, line)
        elif kind == "raw":
            tok = ("lit", v[1:-1].replace("\r", ""), line)
            line += v.count("\n")
        elif kind == "str":
            tok = ("lit", _unescape(v[1:-1]), line)
        elif kind == "char":
            s = _unescape(v[1:-1])
            tok = ("lit", ord(s[0]) if s else 0, line)
        elif kind == "num":
            tok = ("lit", _num(v), line)
        elif v == ";":
            tok = (";", ";", line)
        else:
            tok = ("op", v, line)
            if v in "([{":
                depth += 1
            elif v in ")]}":
                depth -= 1
        toks.append(tok)
        last = tok
        if tok[0] == ";" and depth == 0:
            return toks
    toks.append((";", "EOF", line))
    return toks


# ----------------------------------------------------------------------------------------------- Go parser
BINPREC = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "+": 4,
    "-": 4,
    "|": 4,
    "^": 4,
    "*": 5,
    "/": 5,
    "%": 5,
    "<<": 5,
    ">>": 5,
    "&": 5,
    "&^": 5,
}
ASSIGN_OPS = {"=", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^="}
TYPE_NODES = ("ident", "sel", "slicetype", "arraytype", "maptype", "opaquetype", "generic", "index")


class Parser:
    def __init__(self, toks, path):
        self.t, self.i, self.path, self.nolit = toks, 0, path, False

    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else (";", "EOF", self.t[-1][2] if self.t else 0)

    def next(self):
        tok = self.peek()
        self.i += 1
        return tok

    def at(self, v, k=0):
        tok = self.peek(k)
        return tok[1] == v and tok[0] in ("op", "kw")

    def at_semi(self):
        return self.peek()[0] == ";"

    def expect(self, v):
        tok = self.next()
        if tok[1] != v or tok[0] not in ("op", "kw", ";"):
            raise GoError(f"{self.path}:{tok[2]}: expected {v!r}, got {tok[1]!r}")
        return tok[2]

    def ident(self):
        tok = self.next()
        if tok[0] != "id":
            raise GoError(f"{self.path}:{tok[2]}: expected identifier, got {tok[1]!r}")
        return tok[1]

    def skip_balanced(self, open_, close):
        self.expect(open_)
        depth = 1
        while depth:
            tok = self.next()
            if tok[1] == "EOF":
                raise GoError(f"{self.path}: unbalanced {open_}")
            if tok[0] == "op":
                if tok[1] == open_:
                    depth += 1
                elif tok[1] == close:
                    depth -= 1

    # --- declarations
    def func_decl(self):
        line = self.expect("func")
        recv = self.params() if self.at("(") else None
        name = self.ident()
        if self.at("["):
            self.skip_balanced("[", "]")
        params = self.params()
        result = self.result()
        body = self.block() if self.at("{") else None
        return {"kind": "func", "name": name, "recv": recv, "params": params, "body": body, "line": line, "path": self.path, "result": result}

    def params(self):
        self.expect("(")
        groups, cur, depth = [], [], 0
        while True:
            tok = self.next()
            if tok[1] == "EOF":
                raise GoError(f"{self.path}: unterminated parameter list")
            if tok[0] == "op" and tok[1] in "([{":
                depth += 1
            elif tok[0] == "op" and tok[1] in ")]}":
                if depth == 0:
                    break
                depth -= 1
            if tok[0] == "op" and tok[1] == "," and depth == 0:
                groups.append(cur)
                cur = []
            elif tok[0] != ";":
                cur.append(tok)
        if cur:
            groups.append(cur)
        named = any(len(g) > 1 and g[0][0] == "id" and not (g[1][0] == "op" and g[1][1] == ".") for g in groups)
        names = []
        for g in groups:
            if named:
                names.append((g[0][1], len(g) > 1 and g[1][1] == "..."))
            else:
                names.append(("_", g[0][1] == "..."))
        return names

    def result(self):
        if self.at("("):
            self.skip_balanced("(", ")")
        elif not self.at("{") and not self.at_semi():
            return self.parse_type()
        return None

    def struct_decl(self):
        """`type Name struct {...}` -> (name, {field: type node}, [embedded field names])"""
        self.expect("type")
        name = self.ident()
        if self.at("["):
            self.skip_balanced("[", "]")
        if not self.at("struct"):
            return name, None, []
        self.next()
        self.expect("{")
        fields, embedded = {}, []
        while not self.at("}"):
            if self.at_semi():
                self.next()
                continue
            names = []
            if self.peek()[0] == "id" and (self.at(",", 1) or not (self.at(".", 1) or self.peek(1)[0] in (";", "lit") or self.at("}", 1))):
                names.append(self.ident())
                while self.at(","):
                    self.next()
                    names.append(self.ident())
                t = self.parse_type()
            else:
                t = self.parse_type()
                base = t[2] if t[0] == "ptr" else t
                names = [base[3] if base[0] == "sel" else base[2]]
                embedded.append(names[0])
            if self.peek()[0] == "lit":
                self.next()
            for n in names:
                fields[n] = t
        self.expect("}")
        return name, fields, embedded

    def var_spec(self):
        names = [self.ident()]
        while self.at(","):
            self.next()
            names.append(self.ident())
        typ = None
        if not self.at("=") and not self.at_semi() and not self.at(")"):
            typ = self.parse_type()
        vals = []
        if self.at("="):
            self.next()
            vals = self.exprlist()
        return names, typ, vals

    def var_decl(self):
        tok = self.next()  # var / const
        specs = []
        if self.at("("):
            self.next()
            while not self.at(")"):
                if self.at_semi():
                    self.next()
                    continue
                specs.append(self.var_spec())
            self.expect(")")
        else:
            specs.append(self.var_spec())
        return ("var", tok[2], tok[1], specs)

    # --- types
    def parse_type(self):
        tok = self.peek()
        kind, v, line = tok
        if kind == "op" and v == "*":
            self.next()
            return ("ptr", line, self.parse_type())
        if kind == "op" and v == "(":
            self.next()
            t = self.parse_type()
            self.expect(")")
            return t
        if kind == "op" and v == "[":
            self.next()
            if self.at("]"):
                self.next()
                return ("slicetype", line, self.parse_type())
            if self.at("..."):
                self.next()
            else:
                self.expr()
            self.expect("]")
            return ("arraytype", line, self.parse_type())
        if kind == "op" and v == "<-":
            self.next()
            self.expect("chan")
            return ("opaquetype", line, "chan", self.parse_type())
        if kind == "kw":
            if v == "map":
                self.next()
                self.expect("[")
                k = self.parse_type()
                self.expect("]")
                return ("maptype", line, k, self.parse_type())
            if v == "chan":
                self.next()
                if self.at("<-"):
                    self.next()
                return ("opaquetype", line, "chan", self.parse_type())
            if v == "func":
                self.next()
                self.params()
                nxt = self.peek()
                if (
                    nxt[0] == "id"
                    or (nxt[0] == "op" and nxt[1] in ("*", "[", "("))
                    or (nxt[0] == "kw" and nxt[1] in ("map", "func", "chan", "interface", "struct"))
                ):
                    self.result()
                return ("opaquetype", line, "func")
            if v in ("interface", "struct"):
                self.next()
                self.skip_balanced("{", "}")
                return ("opaquetype", line, v)
        if kind == "id":
            self.next()
            t = ("ident", line, v)
            if self.at(".") and self.peek(1)[0] == "id":
                self.next()
                t = ("sel", line, t, self.ident())
            if self.at("[") and not self.at("]", 1):
                self.skip_balanced("[", "]")
            return t
        raise GoError(f"{self.path}:{line}: expected a type, got {v!r}")

    # --- expressions
    def exprlist(self):
        xs = [self.expr()]
        while self.at(","):
            self.next()
            xs.append(self.expr())
        return xs

    def expr(self, prec=1):
        x = self.unary()
        while True:
            tok = self.peek()
            p = BINPREC.get(tok[1]) if tok[0] == "op" else None
            if p is None or p < prec:
                return x
            self.next()
            x = ("binary", tok[2], tok[1], x, self.expr(p + 1))

    def unary(self):
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("+", "-", "!", "^", "*", "&", "<-"):
            self.next()
            return ("unary", tok[2], tok[1], self.unary())
        return self.primary()

    def operand(self):
        tok = self.peek()
        kind, v, line = tok
        if kind == "id":
            self.next()
            return ("ident", line, v)
        if kind == "lit":
            self.next()
            return ("lit", line, v)
        if kind == "op" and v == "(":
            self.next()
            save, self.nolit = self.nolit, False
            x = self.expr()
            self.nolit = save
            self.expect(")")
            return x
        if kind == "op" and v == "[":
            return self.parse_type()
        if kind == "kw" and v == "func":
            self.next()
            params = self.params()
            if not self.at("{"):
                self.result()
            if self.at("{"):
                save, self.nolit = self.nolit, False
                body = self.block()
                self.nolit = save
                return ("funclit", line, {"kind": "func", "name": "<literal>", "recv": None, "params": params, "body": body, "line": line, "path": self.path})
            return ("opaquetype", line, "func")
        if kind == "kw" and v in ("map", "chan", "struct", "interface"):
            return self.parse_type()
        raise GoError(f"{self.path}:{line}: unexpected {v!r}")

    def primary(self):
        x = self.operand()
        while True:
            tok = self.peek()
            if tok[0] != "op":
                return x
            v, line = tok[1], tok[2]
            if v == ".":
                self.next()
                if self.at("("):
                    self.next()
                    if self.at("type"):
                        self.next()
                        t = ("opaquetype", line, "type")
                    else:
                        t = self.parse_type()
                    self.expect(")")
                    x = ("assert", line, x, t)
                else:
                    x = ("sel", line, x, self.ident())
            elif v == "[":
                self.next()
                save, self.nolit = self.nolit, False
                lo = None if self.at(":") else self.expr()
                if self.at(","):
                    while self.at(","):
                        self.next()
                        if not self.at("]"):
                            self.parse_type()
                    self.nolit = save
                    self.expect("]")
                    x = ("generic", line, x)
                    continue
                if self.at(":"):
                    self.next()
                    hi = None if self.at("]") else self.expr()
                    if self.at(":"):
                        self.next()
                        self.expr()
                    x = ("slice", line, x, lo, hi)
                else:
                    x = ("index", line, x, lo)
                self.nolit = save
                self.expect("]")
            elif v == "(":
                self.next()
                save, self.nolit = self.nolit, False
                args, ell = [], False
                while not self.at(")"):
                    if self.at_semi():
                        self.next()
                        continue
                    args.append(self.expr())
                    if self.at("..."):
                        self.next()
                        ell = True
                    if not self.at(","):
                        break
                    self.next()
                self.nolit = save
                self.expect(")")
                x = ("call", line, x, args, ell)
            elif v == "{" and x[0] in TYPE_NODES and not self.nolit:
                x = self.complit(x)
            else:
                return x

    def complit(self, typ):
        line = self.expect("{")
        save, self.nolit = self.nolit, False
        elts = []
        while not self.at("}"):
            if self.at_semi():
                self.next()
                continue
            k = self.element()
            if self.at(":"):
                self.next()
                elts.append((k, self.element()))
            else:
                elts.append((None, k))
            if self.at(","):
                self.next()
                continue
            if self.at_semi():
                continue
            break
        self.nolit = save
        self.expect("}")
        return ("comp", line, typ, elts)

    def element(self):
        if self.at("{"):
            return self.complit(None)
        return self.expr()

    # --- statements
    def block(self):
        line = self.expect("{")
        stmts = []
        while not self.at("}"):
            if self.at_semi():
                if self.peek()[1] == "EOF":
                    raise GoError(f"{self.path}:{line}: unterminated block")
                self.next()
                continue
            stmts.append(self.stmt())
        self.expect("}")
        return ("block", line, stmts)

    def stmt(self):
        kind, v, line = self.peek()
        if kind == "kw":
            if v == "return":
                self.next()
                xs = [] if (self.at_semi() or self.at("}")) else self.exprlist()
                return ("return", line, xs)
            if v == "if":
                return self.if_stmt()
            if v == "for":
                return self.for_stmt()
            if v in ("switch", "select"):
                self.next()
                save, self.nolit = self.nolit, True
                while not self.at("{"):
                    tok = self.next()
                    if tok[1] == "EOF":
                        raise GoError(f"{self.path}:{line}: bad {v}")
                    if tok[0] == "op" and tok[1] in "([":
                        self.i -= 1
                        self.skip_balanced(tok[1], ")" if tok[1] == "(" else "]")
                self.nolit = save
                self.skip_balanced("{", "}")
                return ("opaque", line, v)
            if v in ("var", "const"):
                return self.var_decl()
            if v == "type":
                self.next()
                while not self.at_semi():
                    tok = self.next()
                    if tok[0] == "op" and tok[1] in "({":
                        self.i -= 1
                        self.skip_balanced(tok[1], ")" if tok[1] == "(" else "}")
                return ("opaque", line, "type")
            if v in ("defer", "go"):
                self.next()
                self.expr()
                return ("opaque", line, v)
            if v in ("break", "continue", "goto", "fallthrough"):
                self.next()
                if self.peek()[0] == "id":
                    self.next()
                return ("branch", line, v)
        if kind == "op" and v == "{":
            return self.block()
        if kind == "id" and self.at(":", 1):
            self.next()
            self.next()
            return self.stmt()
        return self.simple()

    def simple(self, allow_range=False):
        line = self.peek()[2]
        if allow_range and self.at("range"):
            self.next()
            return ("range", line, [], None, self.expr())
        lhs = self.exprlist()
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ASSIGN_OPS:
            self.next()
            if allow_range and self.at("range"):
                self.next()
                return ("range", line, lhs, tok[1], self.expr())
            return ("assign", line, lhs, tok[1], self.exprlist())
        if tok[0] == "op" and tok[1] in ("++", "--"):
            self.next()
            return ("incdec", line, lhs[0], tok[1])
        if tok[0] == "op" and tok[1] == "<-":
            self.next()
            self.expr()
            return ("opaque", line, "send")
        return ("expr", line, lhs[0])

    def if_stmt(self):
        line = self.expect("if")
        save, self.nolit = self.nolit, True
        init, s = None, self.simple()
        if self.at_semi():
            self.next()
            init, s = s, self.simple()
        self.nolit = save
        if s[0] != "expr":
            raise GoError(f"{self.path}:{line}: bad if condition")
        then = self.block()
        els = None
        if self.at("else"):
            self.next()
            els = self.if_stmt() if self.at("if") else self.block()
        return ("if", line, init, s[2], then, els)

    def for_stmt(self):
        line = self.expect("for")
        save, self.nolit = self.nolit, True
        node = None
        if self.at("{"):
            node = ("for3", line)
        else:
            s = None if self.at_semi() else self.simple(allow_range=True)
            if s is not None and s[0] == "range":
                node = s
            else:
                if self.at_semi():
                    self.next()
                    if not self.at_semi():
                        self.expr()
                    self.expect(";") if self.peek()[1] == ";" else self.next()
                    if not self.at("{"):
                        self.simple()
                node = ("for3", line)
        self.nolit = save
        body = self.block()
        if node[0] == "range":
            return ("range", line, node[2], node[3], node[4], body)
        return ("for3", line, body)


# ----------------------------------------------------------------------------------------------- values
class Unknown:
    __slots__ = ("why",)

    def __init__(self, why):
        self.why = why

    def __repr__(self):
        return f"<unknown: {self.why}>"


class Struct:
    """A Go struct value: pluginsdk.Schema, pluginsdk.Resource, a typed resource receiver, ..."""

    __slots__ = ("fields", "flines", "line", "path", "pkg", "tname")

    def __init__(self, tname, pkg, path, line):
        self.tname, self.pkg, self.path, self.line = tname, pkg, path, line
        self.fields, self.flines = {}, {}


class GoMap:
    __slots__ = ("items", "klines", "line", "path")

    def __init__(self, path, line):
        self.items, self.klines, self.path, self.line = {}, {}, path, line


class Func:
    __slots__ = ("closure", "decl", "pkg", "recv")

    def __init__(self, decl, pkg, closure=None, recv=None):
        self.decl, self.pkg, self.closure, self.recv = decl, pkg, closure, recv


class Builtin:
    __slots__ = ("name", "ns")

    def __init__(self, ns, name):
        self.ns, self.name = ns, name


class TypeVal:
    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node


class Validator:
    __slots__ = ("args", "kind", "line", "path", "why")

    def __init__(self, kind, args, path, line, why=None):
        self.kind, self.args, self.path, self.line, self.why = kind, args, path, line, why


class Thunk:
    """A call of a `func ...() *pluginsdk.Resource` left unevaluated while reading a registration."""

    __slots__ = ("args", "func")

    def __init__(self, func, args):
        self.func, self.args = func, args


def _returns_resource(decl):
    t = decl.get("result")
    return t is not None and t[0] == "ptr" and t[2][0] == "sel" and t[2][3] == "Resource"


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Branch(Exception):
    def __init__(self, kind):
        self.kind = kind


# ----------------------------------------------------------------------------------------------- packages
class Package:
    _DECL = re.compile(r"^(func|var|const|import|package|type)\b[^\n]*", re.MULTILINE)
    _FUNC = re.compile(r"^func\s*(?:\(\s*(?:\w+\s+)?\*?\s*(\w+)[^)]*\)\s*)?(\w+)", re.MULTILINE)

    def __init__(self, interp, pkgdir):
        self.interp, self.dir = interp, pkgdir
        tree = interp.tree
        self.files = sorted(p for p in tree.dirs.get(pkgdir, []) if p.endswith(".go") and not p.endswith("_test.go"))
        self.funcs, self.methods, self.valdecls, self.typedecls, self.structs = {}, {}, [], {}, {}
        self.name = None
        self.missing = []  # files of this package absent from the snapshot (>= 4 MiB)
        self.imports = {}  # path -> {alias: import path}
        self.values, self.values_scanned, self.func_cache = {}, False, {}
        for p in self.files:
            text = tree.read(p)
            if text is None:
                interp.missing_files.add(p)
                self.missing.append(p)
                continue
            for m in self._DECL.finditer(text):
                kw = m.group(1)
                if kw == "func":
                    fm = self._FUNC.match(text, m.start())
                    if fm:
                        if fm.group(1):
                            self.methods[(fm.group(1), fm.group(2))] = (p, m.start())
                        else:
                            self.funcs.setdefault(fm.group(2), (p, m.start()))
                elif kw in ("var", "const"):
                    self.valdecls.append((p, m.start()))
                elif kw == "type":
                    tm = re.match(r"type\s+(\w+)", m.group(0))
                    if tm:
                        self.typedecls[tm.group(1)] = (p, m.start())
                elif kw == "package" and self.name is None:
                    self.name = m.group(0).split()[1]

    def file_imports(self, path):
        if path not in self.imports:
            text = self.interp.tree.read(path) or ""
            imps = {}
            specs = []
            for m in re.finditer(r"^import\s*\((.*?)^\)", text, re.DOTALL | re.MULTILINE):
                specs += m.group(1).splitlines()
            for m in re.finditer(r'^import\s+(.*"[^"]+")\s*$', text, re.MULTILINE):
                specs.append(m.group(1))
            for spec in specs:
                mm = re.match(r'^(\w+|\.|_)?\s*"([^"]+)"$', spec.split("//")[0].strip())
                if not mm:
                    continue
                alias, ipath = mm.group(1), mm.group(2)
                if alias in ("_", "."):
                    continue
                if alias is None:
                    alias = self.interp.pkg_name(ipath)
                imps[alias] = ipath
            self.imports[path] = imps
        return self.imports[path]

    def parse_at(self, path, offset):
        text = self.interp.tree.read(path)
        line = text.count("\n", 0, offset) + 1
        toks = lex_decl(text, offset, line)
        return Parser(toks, path)

    def func(self, name, recv=None):
        key = (recv, name)
        if key not in self.func_cache:
            loc = self.methods.get((recv, name)) if recv else self.funcs.get(name)
            if loc is None:
                self.func_cache[key] = None
            else:
                self.func_cache[key] = self.parse_at(*loc).func_decl()
        return self.func_cache[key]

    def struct(self, name):
        """(fields {name: type node}, embedded [names]) of a struct type declared here, or None."""
        if name not in self.structs:
            loc = self.typedecls.get(name)
            self.structs[name] = None
            if loc is not None:
                try:
                    _, fields, embedded = self.parse_at(*loc).struct_decl()
                    if fields is not None:
                        self.structs[name] = (fields, embedded)
                except GoError as e:
                    self.interp.note(loc[0], None, f"type {name} not parsed: {e}")
        return self.structs[name]

    def value_decl(self, name):
        if not self.values_scanned:
            self.values_scanned = True
            for path, off in self.valdecls:
                try:
                    d = self.parse_at(path, off).var_decl()
                except GoError as e:
                    self.interp.note(path, None, f"package-level declaration not parsed: {e}")
                    continue
                prev = None
                for names, typ, declared in d[3]:
                    vals = prev if d[2] == "const" and not declared and prev is not None else declared  # implicit repetition in a const block
                    prev = vals
                    for j, n in enumerate(names):
                        self.values.setdefault(n, (path, vals[j] if j < len(vals) else None, typ))
        return self.values.get(name)


# ----------------------------------------------------------------------------------------------- interpreter
class Frame:
    __slots__ = ("parent", "path", "pkg", "vars")

    def __init__(self, pkg, path, parent=None):
        self.vars, self.parent, self.pkg, self.path = {}, parent, pkg, path

    def find(self, name):
        f = self
        while f is not None:
            if name in f.vars:
                return f
            f = f.parent
        return None


_MISSING = object()


class Interp:
    def __init__(self, tree):
        self.tree = tree
        self.pkgs, self.pkgnames = {}, {}
        self.notes = {}  # (path, line, msg) -> None, constructs not interpreted
        self.missing_files = set()
        self.value_cache = {}
        self.depth = 0
        self.steps = 0
        self.quiet = 0
        self.lazy = False

    def note(self, path, line, msg):
        if not self.quiet:
            self.notes[(path, line, msg)] = None

    @staticmethod
    def import_dir(ipath):
        if ipath.startswith(MODULE):
            return ipath[len(MODULE) :]
        return "vendor/" + ipath

    def pkg_name(self, ipath):
        if ipath not in self.pkgnames:
            d = self.import_dir(ipath)
            name = None
            for p in self.tree.dirs.get(d, []):
                if p.endswith(".go") and not p.endswith("_test.go"):
                    m = re.search(r"^package\s+(\w+)", self.tree.read(p) or "", re.MULTILINE)
                    if m:
                        name = m.group(1)
                        break
            if name is None:
                parts = ipath.split("/")
                name = parts[-2] if re.fullmatch(r"v\d+", parts[-1]) and len(parts) > 1 else parts[-1]
                name = name.replace("-", "_")
            self.pkgnames[ipath] = name
        return self.pkgnames[ipath]

    def package(self, pkgdir):
        if pkgdir not in self.pkgs:
            self.pkgs[pkgdir] = Package(self, pkgdir)
        return self.pkgs[pkgdir]

    # --- evaluation
    def eval(self, node, env, etype=None):
        self.steps += 1
        k = node[0]
        if k == "lit":
            return node[2]
        if k == "ident":
            return self.ident(node[2], env, node)
        if k == "sel":
            x = node[2]
            if x[0] == "ident" and env.find(x[2]) is None:
                imps = env.pkg.file_imports(env.path)
                if x[2] in imps:
                    return self.qualified(imps[x[2]], node[3], env, node)
            return self.select(self.eval(x, env), node[3], node, env)
        if k == "call":
            return self.call(node, env)
        if k == "comp":
            return self.complit(node, env, etype)
        if k == "unary":
            op = node[2]
            x = self.eval(node[3], env, etype)
            if op in ("&", "*"):
                return x
            if isinstance(x, Unknown):
                return x
            if op == "!" and isinstance(x, bool):
                return not x
            if op == "-" and isinstance(x, (int, float)) and not isinstance(x, bool):
                return -x
            if op == "+":
                return x
            return Unknown(f"unary {op}")
        if k == "binary":
            return self.binary(node, env)
        if k == "index":
            x = self.eval(node[2], env)
            key = self.eval(node[3], env)
            if isinstance(x, GoMap):
                return x.items.get(key)
            if isinstance(x, list) and isinstance(key, int):
                return x[key] if 0 <= key < len(x) else Unknown("index out of range")
            if isinstance(x, (Builtin, Func)):
                return x  # generic instantiation
            return Unknown("index of unknown value")
        if k in ("assert", "generic"):
            return self.eval(node[2], env)
        if k == "funclit":
            return Func(node[2], env.pkg, closure=env)
        if k in ("slicetype", "arraytype", "maptype", "ptr", "opaquetype"):
            return TypeVal(node)
        if k == "slice":
            x = self.eval(node[2], env)
            if isinstance(x, (list, str)):
                lo = self.eval(node[3], env) if node[3] else 0
                hi = self.eval(node[4], env) if node[4] else len(x)
                if isinstance(lo, int) and isinstance(hi, int):
                    return x[lo:hi]
            return Unknown("slice expression")
        return Unknown(f"expression {k}")

    def ident(self, name, env, node):
        f = env.find(name)
        if f is not None:
            return f.vars[name]
        if name in ("true", "false"):
            return name == "true"
        if name == "nil":
            return None
        if name in (
            "string",
            "int",
            "int32",
            "int64",
            "float64",
            "float32",
            "bool",
            "byte",
            "rune",
            "len",
            "append",
            "make",
            "new",
            "delete",
            "panic",
            "cap",
            "copy",
            "uint",
            "uint32",
            "uint64",
            "any",
            "error",
            "min",
            "max",
        ):
            return Builtin("", name)
        return self.pkg_member(env.pkg, name, node)

    def pkg_member(self, pkg, name, node):
        key = (pkg.dir, name)
        if key in self.value_cache:
            v = self.value_cache[key]
            return Unknown(f"recursive initialisation of {name}") if v is _MISSING else v
        try:
            decl = pkg.func(name)
        except GoError as e:
            self.note(pkg.dir, None, f"function {name} not parsed: {e}")
            return Unknown(f"function {name} not parsed")
        if decl is not None:
            v = Func(decl, pkg)
            self.value_cache[key] = v
            return v
        vd = pkg.value_decl(name)
        if vd is None:
            if pkg.missing:
                self.note(pkg.missing[0], None, f"{name} not found; this file of its package is missing from the snapshot")
                return Unknown(f"{pkg.dir}.{name} not found (files missing from the snapshot)")
            return Unknown(f"{pkg.dir}.{name} not found")
        self.value_cache[key] = _MISSING
        path, expr, typ = vd
        v = (self.zero(typ, pkg) if typ is not None else Unknown(f"{name} has no value")) if expr is None else self.eval(expr, Frame(pkg, path))
        self.value_cache[key] = v
        return v

    def qualified(self, ipath, name, env, node):
        if ipath in VALIDATION_PKGS:
            return Builtin("validation", name)
        if ipath in SCHEMA_PKGS:
            if name.startswith("Type") or name.startswith("SchemaConfigMode"):
                return name
            if name in ("Schema", "Resource", "ResourceTimeout"):
                return TypeVal(("ident", node[1], name))
            return Builtin("schema", name)
        if ipath == FEATURES_PKG and name == "FivePointOh":
            return Builtin("features", name)
        if ipath == "math":
            consts = {
                "MaxInt32": 2**31 - 1,
                "MinInt32": -(2**31),
                "MaxInt64": 2**63 - 1,
                "MaxInt": 2**63 - 1,
                "MaxInt16": 2**15 - 1,
                "MaxUint32": 2**32 - 1,
                "MaxInt8": 127,
            }
            return consts.get(name, Unknown(f"math.{name}"))
        if ipath == "net/http" and name.startswith("Method"):
            return name[len("Method") :].upper()
        if ipath == "regexp" and name == "MustCompile":
            return Builtin("regexp", name)
        if "." not in ipath.split("/")[0]:
            return Builtin("std:" + ipath, name)
        pkg = self.package(self.import_dir(ipath))
        if not pkg.files:
            return Unknown(f"package {ipath} not in the tree")
        return self.pkg_member(pkg, name, node)

    def select(self, v, name, node, env, _depth=0):
        if isinstance(v, Struct):
            if name in v.fields:
                return v.fields[name]
            if v.pkg is not None:
                try:
                    decl = v.pkg.func(name, recv=v.tname)
                except GoError as e:
                    self.note(v.pkg.dir, None, f"method {v.tname}.{name} not parsed: {e}")
                    decl = None
                if decl is not None:
                    return Func(decl, v.pkg, recv=v)
                st = v.pkg.struct(v.tname)
                if st is not None:
                    fields, embedded = st
                    if name in fields:
                        zero = self.zero(fields[name], v.pkg)
                        v.fields[name] = zero
                        return zero
                    for e in embedded:  # promoted fields and methods
                        if _depth < 5:
                            inner = self.select(v, e, node, env, _depth + 1)
                            if isinstance(inner, Struct):
                                r = self.select(inner, name, node, env, _depth + 1)
                                if r is not None:
                                    return r
            return None  # zero value of an unset field
        if isinstance(v, Unknown):
            return v
        return Unknown(f"selector .{name} on {type(v).__name__}")

    def zero(self, t, pkg):
        if t[0] == "ident":
            n = t[2]
            if n == "bool":
                return False
            if n.startswith("int") or n.startswith("uint") or n.startswith("float") or n in ("byte", "rune"):
                return 0
            if n == "string":
                return ""
            if pkg.struct(n) is not None:
                return Struct(n, pkg, pkg.dir, 0)
        return None

    def binary(self, node, env):
        op = node[2]
        x = self.eval(node[3], env)
        if op == "&&" and x is False:
            return False
        if op == "||" and x is True:
            return True
        y = self.eval(node[4], env)
        if isinstance(x, Unknown) or isinstance(y, Unknown):
            return Unknown(f"operand of {op}")
        try:
            if op in ("&&", "||"):
                if isinstance(x, bool) and isinstance(y, bool):
                    return y
                return Unknown(op)
            if op == "==":
                return x == y
            if op == "!=":
                return x != y
            if op in ("<", "<=", ">", ">="):
                return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            if op == "/":
                return x // y if isinstance(x, int) and isinstance(y, int) else x / y
            if op == "%":
                return x % y
            if op == "<<":
                return x << y
            if op == ">>":
                return x >> y
            if op == "|":
                return x | y
            if op == "&":
                return x & y
        except Exception:
            pass
        return Unknown(f"binary {op}")

    def complit(self, node, env, etype):
        typ = node[2] if node[2] is not None else etype
        t = typ
        while t is not None and t[0] in ("ptr", "generic", "index"):
            t = t[2]
        line = node[1]
        if t is not None and t[0] == "maptype":
            m = GoMap(env.path, line)
            for kn, vn in node[3]:
                if kn is None:
                    return Unknown("map literal element without key")
                key = self.eval(kn, env)
                if isinstance(key, Unknown):
                    self.note(env.path, kn[1], f"map key not evaluable: {key.why}")
                    continue
                m.items[key] = self.eval(vn, env, t[3])
                m.klines[key] = kn[1]
            return m
        if t is not None and t[0] in ("slicetype", "arraytype"):
            return [self.eval(vn, env, t[2]) for _, vn in node[3]]
        tname, pkg = None, env.pkg
        if t is not None and t[0] == "ident":
            tname = t[2]
        elif t is not None and t[0] == "sel":
            tname = t[3]
            if t[2][0] == "ident":
                ipath = env.pkg.file_imports(env.path).get(t[2][2])
                pkg = None if ipath is None or ipath in SCHEMA_PKGS else self.package(self.import_dir(ipath))
        elif t is not None and t[0] == "opaquetype":
            tname = t[2]
        if tname is None:  # untyped literal: guess from the elements
            if node[3] and all(kn is not None and kn[0] == "ident" for kn, _ in node[3]):
                tname = "?"
            elif node[3] and all(kn is not None for kn, _ in node[3]):
                m = GoMap(env.path, line)
                for kn, vn in node[3]:
                    key = self.eval(kn, env)
                    m.items[key] = self.eval(vn, env)
                    m.klines[key] = kn[1]
                return m
            else:
                return [self.eval(vn, env) for _, vn in node[3]]
        s = Struct(tname, pkg if tname not in ("Schema", "Resource", "ResourceTimeout") else None, env.path, line)
        keep = SCHEMA_FIELDS if tname == "Schema" else RESOURCE_FIELDS if tname == "Resource" else None
        for kn, vn in node[3]:
            if kn is None or kn[0] != "ident":
                continue
            fname = kn[2]
            if tname == "Schema" and fname == "DefaultFunc":
                s.fields[fname] = Unknown("DefaultFunc is not evaluated")  # only its presence matters
                s.flines[fname] = kn[1]
                continue
            if keep is not None and fname not in keep:
                continue  # behaviour (CRUD functions, diff suppression, defaults, ...) is not read
            ftype = None
            if tname == "Resource" and fname == "Schema":
                ftype = ("maptype", line, ("ident", line, "string"), ("ptr", line, ("ident", line, "Schema")))
            if fname in ("ValidateFunc", "ValidateDiagFunc"):
                # a validator's own body is not schema: what it returns is judged by SchemaReader.validator
                self.quiet += 1
                try:
                    s.fields[fname] = self.eval(vn, env, ftype)
                finally:
                    self.quiet -= 1
            else:
                s.fields[fname] = self.eval(vn, env, ftype)
            s.flines[fname] = kn[1]
        return s

    def call(self, node, env):
        fn_node, arg_nodes, ell = node[2], node[3], node[4]
        f = self.eval(fn_node, env)
        if isinstance(f, TypeVal) or (
            isinstance(f, Builtin)
            and f.ns == ""
            and f.name in ("string", "int", "int32", "int64", "float64", "float32", "bool", "byte", "rune", "uint", "uint32", "uint64", "any", "error")
        ):
            return self.eval(arg_nodes[0], env) if arg_nodes else Unknown("conversion")
        if isinstance(f, Builtin) and f.ns == "" and f.name in ("make", "new"):
            t = arg_nodes[0] if arg_nodes else None
            if t is not None and t[0] == "maptype":
                return GoMap(env.path, node[1])
            if t is not None and t[0] in ("slicetype", "arraytype"):
                return []
            if t is not None and t[0] in ("ident", "sel"):
                return Struct(t[2] if t[0] == "ident" else t[3], None, env.path, node[1])
            return Unknown("make/new")
        args = [self.eval(a, env) for a in arg_nodes]
        if ell and args and isinstance(args[-1], list):
            args = args[:-1] + args[-1]
        if isinstance(f, Builtin):
            return self.builtin(f, args, node, env)
        if isinstance(f, Func):
            if self.lazy and _returns_resource(f.decl):
                return Thunk(f, args)
            return self.invoke(f, args)
        if isinstance(f, Unknown):
            return Unknown(f"call of {f.why}")
        return Unknown(f"call of {type(f).__name__}")

    def builtin(self, f, args, node, env):
        ns, name = f.ns, f.name
        if ns == "validation":
            return Validator(name, args, env.path, node[1])
        if ns == "features":
            return False  # features.FivePointOh(): ARM_FIVEPOINTZERO_BETA unset, i.e. the 4.x behaviour
        if ns == "regexp":
            return ("regexp", args[0] if args else None)
        if ns == "":
            if name == "len":
                a = args[0] if args else None
                if a is None:
                    return 0  # len(nil)
                if isinstance(a, (list, str)):
                    return len(a)
                if isinstance(a, GoMap):
                    return len(a.items)
                return Unknown("len")
            if name == "append":
                base = args[0] if args else None
                if base is None:
                    base = []
                if isinstance(base, list):
                    return base + args[1:]
                return Unknown("append")
            if name == "delete":
                if len(args) == 2 and isinstance(args[0], GoMap):
                    args[0].items.pop(args[1], None)
                    return None
                self.note(env.path, node[1], "delete() on a value not evaluated")
                return None
            if name == "panic":
                raise GoError(f"{env.path}:{node[1]}: panic reached")
            return Unknown(f"builtin {name}")
        if ns == "std:os" and name == "Getenv":
            return ""
        if ns == "std:strings" and args and all(isinstance(a, (str, int)) for a in args):
            a = args
            fn = {
                "EqualFold": lambda: a[0].lower() == a[1].lower(),
                "ToLower": a[0].lower,
                "ToUpper": a[0].upper,
                "TrimSpace": a[0].strip,
                "Title": lambda: re.sub(r"(^|\s)(\w)", lambda m: m.group(1) + m.group(2).upper(), a[0]),
                "TrimPrefix": lambda: a[0].removeprefix(a[1]),
                "TrimSuffix": lambda: a[0][: -len(a[1])] if a[1] and a[0].endswith(a[1]) else a[0],
                "ReplaceAll": lambda: a[0].replace(a[1], a[2]),
                "HasPrefix": lambda: a[0].startswith(a[1]),
                "HasSuffix": lambda: a[0].endswith(a[1]),
                "Contains": lambda: a[1] in a[0],
            }.get(name)
            if fn is not None:
                try:
                    return fn()
                except (IndexError, TypeError, AttributeError):
                    pass
        if (
            ns == "std:strings"
            and name == "Join"
            and len(args) == 2
            and isinstance(args[0], list)
            and all(isinstance(x, str) for x in args[0])
            and isinstance(args[1], str)
        ):
            return args[1].join(args[0])
        if ns == "std:fmt" and name == "Sprintf" and args and isinstance(args[0], str):
            vals = list(args[1:])
            if all(isinstance(x, (str, int, float, bool)) for x in vals):
                ok = True

                def sub(m):
                    nonlocal ok
                    if m.group(0) == "%%":
                        return "%"
                    if not vals:
                        ok = False
                        return ""
                    x = vals.pop(0)
                    if m.group(1) == "q":
                        return json.dumps(x) if isinstance(x, str) else str(x)
                    return ("true" if x else "false") if isinstance(x, bool) else str(x)

                r = re.sub(r"%%|%[-+# 0]*\d*(?:\.\d+)?([sdvq])", sub, args[0])
                if ok and not vals:
                    return r
            return Unknown("fmt.Sprintf")
        if ns == "std:net/http" and name.startswith("Method"):
            return name[len("Method") :].upper()
        return Unknown(f"{ns}.{name}")

    def invoke(self, f, args):
        decl = f.decl
        if decl["body"] is None:
            return Unknown(f"function {decl['name']} has no body")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.depth -= 1
            return Unknown("call depth")
        try:
            env = Frame(f.pkg, decl["path"], f.closure)
            if decl["recv"] and f.recv is not None:
                env.vars[decl["recv"][0][0]] = f.recv
            for i, (pname, variadic) in enumerate(decl["params"]):
                if variadic:
                    env.vars[pname] = args[i:]
                else:
                    env.vars[pname] = args[i] if i < len(args) else Unknown("missing argument")
            try:
                self.exec_block(decl["body"][2], env)
            except _Return as r:
                return r.value
            return None
        finally:
            self.depth -= 1

    # --- statements
    def exec_block(self, stmts, env):
        for s in stmts:
            self.exec(s, env)

    def exec(self, s, env):
        self.steps += 1
        if self.steps > 3_000_000:
            raise GoError("interpretation step limit")
        k = s[0]
        path = env.path
        if k == "return":
            vals = [self.eval(x, env) for x in s[2]]
            raise _Return(vals[0] if len(vals) == 1 else vals)
        if k == "assign":
            lhs, op, rhs = s[2], s[3], s[4]
            if len(rhs) == 1 and len(lhs) > 1:
                v = self.eval(rhs[0], env)
                vals = v if isinstance(v, list) and len(v) == len(lhs) else [Unknown("multi-value")] * len(lhs)
            else:
                vals = [self.eval(r, env) for r in rhs]
            if op == ":=":
                for target, v in zip(lhs, vals, strict=False):
                    if target[0] == "ident":
                        if target[2] != "_":
                            env.vars[target[2]] = v
                    else:
                        self.note(path, s[1], "bad short variable declaration")
            elif op == "=":
                for target, v in zip(lhs, vals, strict=False):
                    self.assign(target, v, env, s[1])
            else:
                cur = self.eval(lhs[0], env)
                new = self.binary(("binary", s[1], op[:-1], ("lit", s[1], cur), ("lit", s[1], vals[0])), env)
                self.assign(lhs[0], new, env, s[1])
            return
        if k == "var":
            for names, typ, vals in s[3]:
                for j, n in enumerate(names):
                    if j < len(vals):
                        v = self.eval(vals[j], env, typ)
                    elif typ is not None and typ[0] == "ident" and typ[2] == "string":
                        v = ""
                    elif typ is not None and typ[0] == "ident" and typ[2] in ("int", "int64", "float64"):
                        v = 0
                    elif typ is not None and typ[0] == "ident" and typ[2] == "bool":
                        v = False
                    else:
                        v = None
                    env.vars[n] = v
            return
        if k == "if":
            child = Frame(env.pkg, path, env)
            if s[2] is not None:
                self.exec(s[2], child)
            c = self.eval(s[3], child)
            if c is True:
                self.exec_block(s[4][2], Frame(env.pkg, path, child))
            elif c is False:
                if s[5] is not None:
                    if s[5][0] == "if":
                        self.exec(s[5], child)
                    else:
                        self.exec_block(s[5][2], Frame(env.pkg, path, child))
            else:
                self.note(path, s[1], f"if-condition not evaluable ({getattr(c, 'why', c)}); both branches skipped")
            return
        if k == "range":
            lhs, op, x, body = s[2], s[3], s[4], s[5]
            coll = self.eval(x, env)
            if isinstance(coll, GoMap):
                pairs = list(coll.items.items())
            elif isinstance(coll, list):
                pairs = list(enumerate(coll))
            else:
                self.note(path, s[1], f"range over a value not evaluated ({getattr(coll, 'why', coll)})")
                return
            for kv, vv in pairs:
                child = Frame(env.pkg, path, env)
                for target, v in zip(lhs, (kv, vv), strict=False):
                    if op == ":=":
                        if target[0] == "ident" and target[2] != "_":
                            child.vars[target[2]] = v
                    else:
                        self.assign(target, v, env, s[1])
                try:
                    self.exec_block(body[2], child)
                except _Branch as b:
                    if b.kind == "break":
                        break
            return
        if k == "block":
            self.exec_block(s[2], Frame(env.pkg, path, env))
            return
        if k == "expr":
            self.eval(s[2], env)
            return
        if k == "branch":
            if s[2] in ("break", "continue"):
                raise _Branch(s[2])
            self.note(path, s[1], f"{s[2]} not interpreted")
            return
        if k == "incdec":
            cur = self.eval(s[2], env)
            if isinstance(cur, int):
                self.assign(s[2], cur + (1 if s[3] == "++" else -1), env, s[1])
            return
        self.note(path, s[1], f"{s[2] if k == 'opaque' else k} statement not interpreted")

    def assign(self, lhs, v, env, line):
        k = lhs[0]
        if k == "ident":
            if lhs[2] == "_":
                return
            f = env.find(lhs[2])
            if f is None:
                self.note(env.path, line, f"assignment to package variable {lhs[2]} not interpreted")
                return
            f.vars[lhs[2]] = v
            return
        if k == "index":
            c = self.eval(lhs[2], env)
            key = self.eval(lhs[3], env)
            if isinstance(c, GoMap) and not isinstance(key, Unknown):
                c.items[key] = v
                c.klines[key] = lhs[1]
                return
            if isinstance(c, list) and isinstance(key, int) and 0 <= key < len(c):
                c[key] = v
                return
        if k == "sel":
            c = self.eval(lhs[2], env)
            if isinstance(c, Struct):
                c.fields[lhs[3]] = v
                c.flines[lhs[3]] = lhs[1]
                return
        if k == "unary" and lhs[2] == "*":
            return self.assign(lhs[3], v, env, line)
        self.note(env.path, line, "assignment target not evaluated; schema change skipped")


# ----------------------------------------------------------------------------------------------- schema model
class Attr:
    def __init__(self, name, path, line):
        self.name, self.path, self.line = name, path, line
        self.type = None
        self.required = self.optional = self.computed = False
        self.block = None  # Block for nested Elem: &Resource
        self.elem = None  # Attr for Elem: &Schema
        self.max_items = self.min_items = None
        self.validators = []
        self.rel = {}  # ConflictsWith / ExactlyOneOf / AtLeastOneOf / RequiredWith -> [keys]
        self.locs = {}  # field -> (path, line)
        self.unparsed = None  # reason: the attribute's schema could not be read
        self.default_func = False
        self.deprecated = None

    def loc(self, field=None):
        path, line = self.locs.get(field, (self.path, self.line))
        return f"{path}:{line}"


class Block:
    def __init__(self, path, line):
        self.path, self.line = path, line
        self.attrs = {}
        self.timeouts = None

    def loc(self):
        return f"{self.path}:{self.line}"


class SchemaReader:
    """Turns interpreted Go values into Attr/Block trees and counts rule kinds."""

    def __init__(self, interp):
        self.interp = interp
        self.kinds = {}
        self.other_validators = {}

    def count(self, kind):
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    def block(self, gomap, path, line):
        b = Block(getattr(gomap, "path", path), getattr(gomap, "line", line))
        if not isinstance(gomap, GoMap):
            self.interp.note(path, line, f"schema map not evaluated ({getattr(gomap, 'why', gomap)})")
            return None
        for name, v in gomap.items.items():
            b.attrs[name] = self.attr(name, v, gomap.path, gomap.klines.get(name, gomap.line))
        return b

    def attr(self, name, v, path, line):
        a = Attr(name, path, line)
        if not isinstance(v, Struct) or v.tname not in ("Schema", "?"):
            a.unparsed = f"schema of {name!r} not evaluated ({getattr(v, 'why', type(v).__name__)})"
            self.interp.note(path, line, a.unparsed)
            return a
        a.path, a.line = v.path, v.line
        f = v.fields
        for fld, fl in v.flines.items():
            a.locs[fld] = (v.path, fl)
        a.type = f.get("Type")
        a.default_func = "DefaultFunc" in f
        a.deprecated = f.get("Deprecated") if isinstance(f.get("Deprecated"), str) and f.get("Deprecated") else None
        if not isinstance(a.type, str):
            self.interp.note(v.path, v.line, f"Type of {name!r} not evaluated")
            a.unparsed = "Type not evaluated"
        for fld in ("Required", "Optional", "Computed"):
            val = f.get(fld, False)
            if val is None:
                val = False
            if not isinstance(val, bool):
                self.interp.note(v.path, v.flines.get(fld, v.line), f"{fld} of {name!r} not evaluated")
                a.unparsed = f"{fld} not evaluated"
                val = False
            setattr(a, fld.lower(), val)
            if val:
                self.count(fld)
        for fld in ("MaxItems", "MinItems"):
            val = f.get(fld)
            if val is None or val == 0:
                continue
            if not isinstance(val, int) or isinstance(val, bool):
                self.interp.note(v.path, v.flines.get(fld, v.line), f"{fld} of {name!r} not evaluated")
                continue
            setattr(a, "max_items" if fld == "MaxItems" else "min_items", val)
            self.count(fld)
        for fld in ("ConflictsWith", "ExactlyOneOf", "AtLeastOneOf", "RequiredWith"):
            val = f.get(fld)
            if val is None:
                continue
            if isinstance(val, list) and all(isinstance(x, str) for x in val):
                a.rel[fld] = val
                self.count(fld)
            else:
                self.interp.note(v.path, v.flines.get(fld, v.line), f"{fld} of {name!r} not evaluated")
        elem = f.get("Elem")
        if isinstance(elem, Struct) and elem.tname == "Resource":
            a.block = self.block(elem.fields.get("Schema"), elem.path, elem.line)
            if a.block is None:
                a.unparsed = "nested block schema not evaluated"
        elif isinstance(elem, Struct) and elem.tname == "Schema":
            a.elem = self.attr(name + ".*", elem, elem.path, elem.line)
        elif elem is not None:
            self.interp.note(v.path, v.flines.get("Elem", v.line), f"Elem of {name!r} not evaluated")
            a.unparsed = "Elem not evaluated"
        vf = f.get("ValidateFunc")
        if vf is not None:
            a.validators.append(self.validator(vf, v.path, v.flines.get("ValidateFunc", v.line)))
        if f.get("ValidateDiagFunc") is not None:
            self.other_validators["ValidateDiagFunc"] = self.other_validators.get("ValidateDiagFunc", 0) + 1
        return a

    def validator(self, vf, path, line):
        if isinstance(vf, Builtin) and vf.ns == "validation":  # a validation function used as a value
            vf = Validator(vf.name, [], path, line)
        if isinstance(vf, Validator):
            if vf.kind not in CHECKED_VALIDATORS:
                self.other_validators[vf.kind] = self.other_validators.get(vf.kind, 0) + 1
                return Validator("other", [vf.kind], path, line)
            if vf.kind in ("All", "Any"):
                subs = [self.validator(x, path, line) for x in vf.args]
                self.count("ValidateFunc " + vf.kind)
                return Validator(vf.kind, subs, path, line)
            ok = True
            if vf.kind == "StringInSlice":
                ok = len(vf.args) == 2 and isinstance(vf.args[0], list) and all(isinstance(x, str) for x in vf.args[0]) and isinstance(vf.args[1], bool)
            elif vf.kind == "IntInSlice":
                ok = len(vf.args) == 1 and isinstance(vf.args[0], list) and all(isinstance(x, int) for x in vf.args[0])
            elif vf.kind in ("IntBetween", "FloatBetween", "StringLenBetween"):
                ok = len(vf.args) == 2 and all(isinstance(x, (int, float)) for x in vf.args)
            elif vf.kind in ("IntAtLeast", "IntAtMost", "IntDivisibleBy", "FloatAtLeast"):
                ok = len(vf.args) == 1 and isinstance(vf.args[0], (int, float))
            if not ok:
                why = ", ".join(getattr(x, "why", type(x).__name__) for x in vf.args if not isinstance(x, (list, str, int, float, bool)))
                if isinstance(vf.args[0] if vf.args else None, list):
                    why = why or "; ".join(getattr(x, "why", "?") for x in vf.args[0] if not isinstance(x, (str, int)))
                self.interp.note(path, line, f"validation.{vf.kind} arguments not evaluated ({why})")
                return Validator("unparsed", [vf.kind], path, line)
            self.count("ValidateFunc " + vf.kind)
            return Validator(vf.kind, vf.args, path, line)
        name = "function"
        if isinstance(vf, Func):
            name = vf.decl["name"]
        elif isinstance(vf, Unknown):
            name = "unevaluated"
        self.other_validators[name if name == "unevaluated" else "custom"] = self.other_validators.get(name if name == "unevaluated" else "custom", 0) + 1
        return Validator("other", [name], path, line)


# ----------------------------------------------------------------------------------------------- locating schemas
class Provider:
    def __init__(self, gitdir, tag):
        self.tree = GitTree(gitdir, tag)
        self.interp = Interp(self.tree)
        self.reader = SchemaReader(self.interp)
        self.cache = {}
        self.where = {}
        self.release = None

    def locate(self, types):
        """types: set of (mode, type).  Reads the registrations (SupportedResources/SupportedDataSources for
        untyped, Resources/DataSources for typed, with `if features.FivePointOh()` evaluated) of every service
        package that mentions one of the names.  Returns {(mode, type): (kind, path, name, value)}."""
        names = {t for _, t in types}
        if not names:
            return {}
        alt = "|".join(re.escape(n) for n in sorted(names))
        hits = self.tree.grep([rf'"({alt})"'], ["internal/services/*.go"])
        dirs = sorted({path.rsplit("/", 1)[0] for path, _, _ in hits if not path.endswith("_test.go")})
        return registrations_in(self, dirs, names)

    def registration(self, pkg, recv_name):
        interp = self.interp
        recv = Struct(recv_name, pkg, pkg.dir, 0)
        out = {}
        interp.lazy = True
        try:
            for meth, mode, kind in (
                ("SupportedResources", "resource", "untyped"),
                ("SupportedDataSources", "data", "untyped"),
                ("Resources", "resource", "typed"),
                ("DataSources", "data", "typed"),
            ):
                fn = interp.select(recv, meth, None, None)
                if not isinstance(fn, Func):
                    continue
                try:
                    res = interp.invoke(fn, [])
                except GoError as e:
                    interp.note(fn.decl["path"], fn.decl["line"], f"registration {meth} not interpreted: {e}")
                    continue
                if res is None:
                    continue  # `return nil`
                if kind == "untyped":
                    if not isinstance(res, GoMap):
                        interp.note(fn.decl["path"], fn.decl["line"], f"registration {meth} not evaluated")
                        continue
                    for typ, th in res.items.items():
                        if isinstance(th, Thunk):
                            out[(mode, typ)] = ("untyped", th.func.decl["path"], th.func.decl["name"], th)
                        else:
                            interp.note(fn.decl["path"], res.klines.get(typ), f"registration of {typ} not evaluated")
                    continue
                if not isinstance(res, list):
                    interp.note(fn.decl["path"], fn.decl["line"], f"registration {meth} not evaluated")
                    continue
                for st in res:
                    rt = interp.select(st, "ResourceType", None, None) if isinstance(st, Struct) else None
                    typ = interp.invoke(rt, []) if isinstance(rt, Func) else None
                    if isinstance(typ, str):
                        out[(mode, typ)] = ("typed", rt.decl["path"], st.tname, st)
                    else:
                        interp.note(fn.decl["path"], fn.decl["line"], f"typed registration {getattr(st, 'tname', st)} not evaluated")
        finally:
            interp.lazy = False
        return out

    def schema(self, mode, typ):
        key = (mode, typ)
        if key in self.cache:
            return self.cache[key]
        self.cache[key] = None
        where = self.where.get(key)
        if where is None:
            if not self.unsupported(mode, typ):
                self.interp.note("internal/services", None, f"{mode} {typ}: registration not found, but the type is in the release schema")
            return None
        kind, path, name, val = where
        interp = self.interp
        try:
            if kind == "untyped":
                res = interp.invoke(val.func, val.args)
                f = val.func.decl
                if not isinstance(res, Struct):
                    interp.note(f["path"], f["line"], f"{typ}: {name}() not evaluated ({getattr(res, 'why', res)})")
                    return None
                sm = res.fields.get("Schema")
                if sm is None and isinstance(res.fields.get("SchemaFunc"), Func):
                    sm = interp.invoke(res.fields["SchemaFunc"], [])
                b = self.reader.block(sm, f["path"], res.flines.get("Schema", f["line"]))
                if b is not None:
                    to = res.fields.get("Timeouts")
                    b.timeouts = {n.lower() for n in to.fields} if isinstance(to, Struct) else set()
            else:
                b = None
                for meth in ("Arguments", "Attributes"):
                    fn = interp.select(val, meth, None, None)
                    if not isinstance(fn, Func):
                        interp.note(path, None, f"{typ}: {name}.{meth}() not found")
                        continue
                    res = interp.invoke(fn, [])
                    if res is None and meth == "Attributes":
                        continue  # `return nil`: no computed-only attributes
                    part = self.reader.block(res, fn.decl["path"], fn.decl["line"])
                    if part is None:
                        continue
                    if b is None:
                        b = part
                    else:
                        for n, a in part.attrs.items():
                            b.attrs.setdefault(n, a)
                if b is not None:
                    has_update = isinstance(interp.select(val, "Update", None, None), Func)
                    b.timeouts = ({"create", "read", "delete"} | ({"update"} if has_update else set())) if mode == "resource" else {"read"}
        except (GoError, RecursionError) as e:
            interp.note(path, None, f"{typ}: schema not interpreted: {e}")
            return None
        self.cache[key] = b
        return b

    def unsupported(self, mode, typ):
        """True when the type is registered nowhere in the source and absent from the release schema."""
        rel = self.release_schema()
        return (mode, typ) not in self.where and bool(rel) and typ not in rel.get("resources" if mode == "resource" else "dataSources", {})

    def release_schema(self):
        if self.release is None:
            text = self.tree.read(".release/provider-schema.json")
            self.release = {}
            if text:
                try:
                    self.release = json.loads(text)["providerSchema"]
                except (ValueError, KeyError):
                    self.release = {}
        return self.release

    def crosscheck(self, mode, typ, block):
        """Compare the parsed tree with the provider's generated .release/provider-schema.json."""
        rel = self.release_schema()
        if not rel:
            self.interp.note(".release/provider-schema.json", None, "release schema not available for cross-check")
            return
        top = rel.get("resources" if mode == "resource" else "dataSources", {}).get(typ)
        if top is None:
            self.interp.note(".release/provider-schema.json", None, f"{mode} {typ} absent from release schema")
            return

        def cmp(b, rs, prefix):
            if b is None:
                return
            for n in sorted(set(b.attrs) | set(rs)):
                p = prefix + n
                a, r = b.attrs.get(n), rs.get(n)
                if a is None:
                    self.interp.note(b.path, b.line, f"{typ} {p}: in the release schema, not found in the Go parse")
                    continue
                if r is None:
                    self.interp.note(a.path, a.line, f"{typ} {p}: found in the Go parse, not in the release schema")
                    continue
                if a.unparsed:
                    continue
                diffs = []
                if a.type != r.get("type"):
                    diffs.append(f"Type {a.type} vs {r.get('type')}")
                for fld, val in (("required", a.required), ("optional", a.optional), ("computed", a.computed)):
                    if bool(r.get(fld)) != val:
                        diffs.append(f"{fld} {val} vs {bool(r.get(fld))}")
                if (a.max_items or 0) != (r.get("maxItems") or 0):
                    diffs.append(f"MaxItems {a.max_items} vs {r.get('maxItems')}")
                if (a.min_items or 0) != (r.get("minItems") or 0):
                    diffs.append(f"MinItems {a.min_items} vs {r.get('minItems')}")
                e = r.get("elem")
                if a.block is not None:
                    if not (isinstance(e, dict) and "schema" in e):
                        diffs.append("nested block vs not a block")
                    else:
                        cmp(a.block, e["schema"], p + ".")
                elif isinstance(e, dict) and "schema" in e:
                    diffs.append("not a block vs nested block")
                if diffs:
                    self.interp.note(a.path, a.line, f"{typ} {p}: Go parse disagrees with release schema: " + "; ".join(diffs))

        cmp(block, top.get("schema", {}), "")
        rt = set((top.get("timeouts") or {}).keys())
        if block.timeouts is not None and block.timeouts != rt:
            self.interp.note(block.path, block.line, f"{typ}: timeouts {sorted(block.timeouts)} disagree with the release schema {sorted(rt)}")


# ----------------------------------------------------------------------------------------------- export
FORMAT = 1
LOC_FIELDS = (
    "Type",
    "Required",
    "Computed",
    "MaxItems",
    "MinItems",
    "ConflictsWith",
    "ExactlyOneOf",
    "AtLeastOneOf",
    "RequiredWith",
)  # fields whose line a message cites
ARG_KINDS = {
    "StringInSlice",
    "IntInSlice",
    "IntBetween",
    "FloatBetween",
    "StringLenBetween",
    "IntAtLeast",
    "IntAtMost",
    "IntDivisibleBy",
    "FloatAtLeast",
}  # validators whose arguments the checker reads


class Encoder:
    """Block/Attr trees -> compact JSON values; file paths go into one table, locations are [file, line]."""

    def __init__(self):
        self.files, self.index = [], {}

    def f(self, path):
        if path not in self.index:
            self.index[path] = len(self.files)
            self.files.append(path)
        return self.index[path]

    def block(self, b):
        d = {"l": [self.f(b.path), b.line], "a": {n: self.attr(a) for n, a in sorted(b.attrs.items())}}
        if b.timeouts is not None:
            d["t"] = sorted(b.timeouts)
        return d

    def attr(self, a):
        d = {"l": [self.f(a.path), a.line]}
        if isinstance(a.type, str):
            d["t"] = a.type[4:].lower() if a.type.startswith("Type") else a.type
        flags = ("r" if a.required else "") + ("o" if a.optional else "") + ("c" if a.computed else "")
        if flags:
            d["f"] = flags
        lines = {}
        for fld in LOC_FIELDS:
            if fld in a.locs:
                p, line = a.locs[fld]
                if p != a.path:
                    raise GoError(f"{a.name}: {fld} located in another file than the attribute")
                lines[fld] = line
        if lines:
            d["L"] = lines
        if a.max_items is not None:
            d["max"] = a.max_items
        if a.min_items is not None:
            d["min"] = a.min_items
        if a.rel:
            d["rel"] = a.rel
        if a.validators:
            d["v"] = [self.validator(v) for v in a.validators]
        if a.block is not None:
            d["b"] = self.block(a.block)
        if a.elem is not None:
            d["e"] = self.attr(a.elem)
        if a.unparsed:
            d["u"] = a.unparsed
        if a.default_func:
            d["df"] = 1
        if a.deprecated:
            d["d"] = a.deprecated
        return d

    def validator(self, v):
        if v.kind in ("All", "Any"):
            return [v.kind, [self.validator(s) for s in v.args], self.f(v.path), v.line]
        if v.kind in ("other", "unparsed"):
            return [v.kind, [str(x) for x in v.args]]
        args = v.args if v.kind in ARG_KINDS else []
        json.dumps(args)  # only plain values
        return [v.kind, args, self.f(v.path), v.line]


def name_dirs(tree):
    """{type name: service package directories whose non-test .go files contain "name"}: what Provider.locate
    finds with `git grep`, for every name at once."""
    out = {}
    for path, _, text in tree.grep([r'"azurerm_[a-z0-9_]+"'], ["internal/services/*.go"]):
        if path.endswith("_test.go"):
            continue
        for m in re.finditer(r'(?="(azurerm_[a-z0-9_]+)")', text):
            out.setdefault(m.group(1), set()).add(path.rsplit("/", 1)[0])
    return out


class TrackedTree(GitTree):
    """GitTree that remembers which files were asked for since `touched` was last reset."""

    def __init__(self, gitdir, tag):
        super().__init__(gitdir, tag)
        self.touched = set()

    def read(self, path):
        self.touched.add(path)
        return super().read(path)


def fresh_provider(tree, release):
    """A Provider with a new interpreter (nothing cached from other types) over an already listed tree."""
    p = Provider.__new__(Provider)
    p.tree, p.interp = tree, Interp(tree)
    p.reader, p.cache, p.where, p.release = SchemaReader(p.interp), {}, {}, release
    return p


def locate_with(p, types, dirs_of):
    """Provider.locate with the grep answered from name_dirs()."""
    names = {t for _, t in types}
    return registrations_in(p, sorted(set().union(*(dirs_of.get(n, set()) for n in names))), names)


def registrations_in(p, dirs, names):
    """{(mode, type): (kind, path, name, value)} of the types named `names` that the service packages in `dirs` register."""
    found = {}
    for d in dirs:
        pkg = p.interp.package(d)
        for recv in registration_receivers(pkg):
            found.update({key: val for key, val in p.registration(pkg, recv).items() if key[1] in names})
    return found


def registration_receivers(pkg):
    """The package's Registration types that register resources or data sources."""
    return sorted(
        {r for (r, m) in pkg.methods if r.endswith("Registration") and m in ("SupportedResources", "SupportedDataSources", "Resources", "DataSources")}
    )


def all_registered(tree, release):
    """Every (mode, type) registered by a service package at the tag, and the notes of reading them."""
    p = fresh_provider(tree, release)
    found = set()
    for d in sorted(d for d in tree.dirs if d.startswith("internal/services/")):
        pkg = p.interp.package(d)
        for recv in registration_receivers(pkg):
            found |= set(p.registration(pkg, recv))
    return found, p.interp.notes


def export(gitdir, tag, out_path, compare_shared=True, log=print):
    t0 = time.time()
    tree = TrackedTree(gitdir, tag)
    probe = fresh_provider(tree, None)
    release = probe.release_schema()
    rel_types = {("resource", t) for t in release.get("resources", {})} | {("data", t) for t in release.get("dataSources", {})}
    registered, reg_notes = all_registered(tree, release)
    dirs_of = name_dirs(tree)
    types = sorted(registered | rel_types)
    enc = Encoder()
    doc = {
        "format": FORMAT,
        "provider": "registry.terraform.io/hashicorp/azurerm",
        "version": tag.lstrip("v"),
        "tag": tag,
        "commit": subprocess.run(["git", "--git-dir", gitdir, "rev-parse", tag + "^{commit}"], capture_output=True, text=True, check=False).stdout.strip(),
        "release_schema": bool(release),
        "files": enc.files,
        "resource": {},
        "data": {},
    }
    all_notes, parsed, not_parsed, blocks = {}, 0, [], {}
    for mode, typ in types:
        p = fresh_provider(tree, release)
        tree.touched = set()
        p.where = locate_with(p, {(mode, typ)}, dirs_of)
        b = p.schema(mode, typ)
        if b is not None:
            p.crosscheck(mode, typ, b)
            parsed += 1
        else:
            not_parsed.append(f"{mode} {typ}")
        entry = {"b": enc.block(b) if b is not None else None}
        where = p.where.get((mode, typ))
        if where is not None:
            entry["w"] = [where[0], where[1], where[2]]
        notes = sorted(p.interp.notes, key=lambda n: (n[0], n[1] or 0, n[2]))
        if notes:
            entry["n"] = [list(n) for n in notes]
            for n in notes:
                all_notes.setdefault(n, []).append(typ)
        if p.reader.kinds:
            entry["k"] = dict(sorted(p.reader.kinds.items()))
        if p.reader.other_validators:
            entry["o"] = dict(sorted(p.reader.other_validators.items()))
        missing = sorted((tree.touched & tree.missing) | p.interp.missing_files)
        if missing:
            entry["m"] = missing
        doc[mode][typ] = entry
        blocks[(mode, typ)] = entry["b"]
    shared_diff = None
    if compare_shared:  # the same types read by one interpreter, as one run over many types does
        p = fresh_provider(tree, release)
        p.where = locate_with(p, set(types), dirs_of)
        enc2 = Encoder()
        enc2.files, enc2.index = list(enc.files), dict(enc.index)
        shared_diff = []
        for mode, typ in types:
            b = p.schema(mode, typ)
            if (enc2.block(b) if b is not None else None) != blocks[(mode, typ)]:
                shared_diff.append(f"{mode} {typ}")
    doc["selftest"] = {
        "types": len(types),
        "resources": len(doc["resource"]),
        "data_sources": len(doc["data"]),
        "parsed": parsed,
        "not_parsed": not_parsed,
        "rules_not_parsed": len(all_notes),
        "registration_notes": len(reg_notes),
        "release_schema_types": len(rel_types),
        "registered_types": len(registered),
    }
    if shared_diff is not None:
        doc["selftest"]["differ_when_read_together"] = shared_diff
    data = json.dumps(doc, separators=(",", ":"), sort_keys=False).encode()
    with open(out_path, "wb") as fh:
        fh.write(gzip.compress(data, 9, mtime=0))
    st = doc["selftest"]
    log(
        f"{tag}: {st['resources']} resources + {st['data_sources']} data sources ({len(registered)} registered, "
        f"{len(rel_types)} in .release/provider-schema.json); {parsed} parsed, {len(not_parsed)} not parsed; "
        f"self-test against .release/provider-schema.json: {len(all_notes)} rules not parsed"
        + (f"; {len(shared_diff)} types read differently together" if shared_diff is not None else "")
        + f"; {len(reg_notes)} registration notes"
    )
    for n, typs in sorted(all_notes.items(), key=lambda x: (x[0][0], x[0][1] or 0, x[0][2])):
        log(f"  not parsed: {n[0]}{':' + str(n[1]) if n[1] else ''}: {n[2]}  [{len(typs)} types: {', '.join(typs[:4])}{', ...' if len(typs) > 4 else ''}]")
    for t in (shared_diff or [])[:20]:
        log(f"  read differently together: {t}")
    log(f"wrote {out_path}: {os.path.getsize(out_path)} bytes gzip ({len(data)} bytes JSON), {len(enc.files)} files, {time.time() - t0:.0f}s")
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--git-dir", default=os.environ.get("AZURERM_GIT_DIR", DEFAULT_GIT), help="git directory of hashicorp/terraform-provider-azurerm (default: %(default)s)"
    )
    ap.add_argument("--tag", action="append", help="provider tag, e.g. v4.55.0 (repeatable)")
    ap.add_argument("--out-dir", default=os.path.normpath(RULES_DIR), help="where rules-azurerm-<version>.json.gz is written (default: %(default)s)")
    ap.add_argument("--no-compare", action="store_true", help="skip reading all types in one interpreter to compare with the per-type reading")
    args = ap.parse_args()
    rc = 0
    for tag in args.tag or ["v4.55.0"]:
        out = os.path.join(args.out_dir, f"rules-azurerm-{tag.lstrip('v')}.json.gz")
        try:
            export(args.git_dir, tag, out, compare_shared=not args.no_compare)
        except (GoError, OSError) as e:
            print(f"azurerm rules export: {tag}: {e}")
            rc = 2
    return rc


if __name__ == "__main__":
    sys.exit(main())
