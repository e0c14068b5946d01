"""Read-only checking of user Cypher: limits on the text, a cheap static screen, then Neo4j's own plan.

The plan decides: EXPLAIN (under a time limit) shows what Neo4j read the text as, whatever comments, escapes
or quoting it holds, and every operator in it must be on a read allowlist, every procedure on a procedure
allowlist. The READ-mode transaction the query then runs in is a further line: Neo4j refuses to write in it.
"""

from __future__ import annotations

import re
from typing import Any

from neo4j import Query, Session
from neo4j.exceptions import ClientError, DatabaseError

from graph.errors import BadInput, InnographError

# Procedures the read-only endpoint runs, by the name Neo4j resolved them to (lower case).
ALLOWED_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
        "db.index.fulltext.querynodes",
        "db.index.fulltext.queryrelationships",
        "db.index.fulltext.listavailableanalyzers",
        "db.info",
        "db.ping",
    }
)
# Plan operators that only read the graph (Neo4j 5.26's names, without the "@<database>" suffix). Anything
# else (writes, schema, LOAD CSV, SHOW TRANSACTIONS/SETTINGS, TERMINATE, CALL IN TRANSACTIONS, FOREACH) is
# refused; an unlisted read operator is refused too, which is the safe way to be wrong.
_SCANS = (
    "AllRelationshipsScan",
    "RelationshipTypeScan",
    "UnionRelationshipTypesScan",
    "RelationshipByIdSeek",
    "RelationshipByElementIdSeek",
    "RelationshipIndexSeek",
    "RelationshipUniqueIndexSeek",
    "RelationshipIndexSeekByRange",
    "RelationshipUniqueIndexSeekByRange",
    "RelationshipIndexScan",
    "RelationshipIndexContainsScan",
    "RelationshipIndexEndsWithScan",
)
READ_OPERATORS = frozenset(
    {f"{way}{scan}" for way in ("Directed", "Undirected") for scan in _SCANS}
    | {
        "AllNodesScan",
        "NodeByLabelScan",
        "UnionNodeByLabelsScan",
        "IntersectionNodeByLabelsScan",
        "SubtractionNodeByLabelsScan",
        "NodeByIdSeek",
        "NodeByElementIdSeek",
        "NodeIndexSeek",
        "NodeUniqueIndexSeek",
        "MultiNodeIndexSeek",
        "AssertingMultiNodeIndexSeek",
        "AssertingMultiRelationshipIndexSeek",
        "NodeIndexSeekByRange",
        "NodeUniqueIndexSeekByRange",
        "NodeIndexContainsScan",
        "NodeIndexEndsWithScan",
        "NodeIndexScan",
        "NodeCountFromCountStore",
        "RelationshipCountFromCountStore",
        "Argument",
        "ArgumentTracker",
        "EmptyRow",
        "Apply",
        "SemiApply",
        "AntiSemiApply",
        "LetSemiApply",
        "LetAntiSemiApply",
        "SelectOrSemiApply",
        "SelectOrAntiSemiApply",
        "LetSelectOrSemiApply",
        "LetSelectOrAntiSemiApply",
        "RollUpApply",
        "ConditionalApply",
        "AntiConditionalApply",
        "Anti",
        "Optional",
        "CartesianProduct",
        "NodeHashJoin",
        "ValueHashJoin",
        "NodeLeftOuterHashJoin",
        "NodeRightOuterHashJoin",
        "Expand(All)",
        "Expand(Into)",
        "OptionalExpand(All)",
        "OptionalExpand(Into)",
        "VarLengthExpand(All)",
        "VarLengthExpand(Into)",
        "VarLengthExpand(Pruning)",
        "VarLengthExpand(Pruning,BFS)",
        "VarLengthExpand(Pruning,BFS,All)",
        "Repeat(Trail)",
        "Repeat(Walk)",
        "NullifyMetadata",
        "ShortestPath",
        "StatefulShortestPath(All)",
        "StatefulShortestPath(Into)",
        "ProjectEndpoints",
        "Projection",
        "Filter",
        "Limit",
        "ExhaustiveLimit",
        "Skip",
        "Sort",
        "PartialSort",
        "Top",
        "PartialTop",
        "Distinct",
        "OrderedDistinct",
        "EagerAggregation",
        "OrderedAggregation",
        "Eager",
        "Union",
        "OrderedUnion",
        "Unwind",
        "ProduceResults",
        "EmptyResult",
        "DropResult",
        "CacheProperties",
        "TriadicSelection",
        "TriadicBuild",
        "TriadicFilter",
        "AssertSameNode",
        "AssertSameRelationship",
        "ProcedureCall",  # then checked by name
        # Schema reads (SHOW INDEXES / CONSTRAINTS); SHOW TRANSACTIONS and SHOW SETTINGS are not here.
        "ShowIndexes",
        "ShowConstraints",
    }
)
_PROCEDURE_NAME = re.compile(r"^\s*([^\s(]+)\s*\(")
# Text limits, checked before Neo4j sees the text: deep nesting overflows Neo4j 5.26's parser stack.
MAX_QUERY_CHARS = 20_000
MAX_NESTING = 64
_ADMIN_VERBS = (
    r"SHOW|ALTER|CREATE|DROP|GRANT|DENY|REVOKE|RENAME|START|STOP|ENABLE|TERMINATE|DEALLOCATE|REALLOCATE"
)
_ADMIN_OBJECTS = (
    r"USERS?|ROLES?|DATABASES?|ALIAS(?:ES)?|SERVERS?|PRIVILEGES?|TRANSACTIONS?|SETTINGS?|"
    r"PROCEDURES?\s+EXECUTE|CURRENT\s+USER|COMPOSITE|HOME"
)
_ADMIN = re.compile(
    rf"\b(?:{_ADMIN_VERBS})\b(?:\s+(?:ALL|OR|REPLACE|IF|NOT|EXISTS|STANDARD|COMPOSITE|DEFAULT|HOME|"
    rf"IMMUTABLE|BUILT\s+IN|DBMS|GRAPH|POPULATED|ROLE|USER|MY))*\s+(?:{_ADMIN_OBJECTS})\b",
    re.IGNORECASE,
)
_ACCESS = re.compile(r"\b(?:GRANT|DENY|REVOKE|TERMINATE)\b", re.IGNORECASE)
_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.IGNORECASE)
# USE <graph> may open any query part; `n.use`, `:Use` and `$use` are names, not the clause.
_USE = re.compile(r"(?<![.:$\w])USE\s+[A-Za-z_]", re.IGNORECASE)
_CALL = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)", re.IGNORECASE)
# Strings, quoted names and comments, each with its closer as a group: no closer means unterminated.
_TOKEN = re.compile(
    r"""'(?:[^'\\]|\\.)*(')?|"(?:[^"\\]|\\.)*(")?|`[^`]*(`)?|//[^\n]*()|/\*(?:.*?(\*/)|.*)""",
    re.DOTALL,
)


# Planning prefixes the user's text; error messages must not show it or count it in their columns.
EXPLAIN = "EXPLAIN "
_WHERE = re.compile(r"\s*\(line (\d+), column (\d+) \(offset: (\d+)\)\)")


class CypherRefused(BadInput):
    """A query the read-only endpoint will not run (a write, an admin command, a file load)."""


class QueryTimeout(InnographError):
    """A query ran past its time limit and was stopped."""


class ResultTooLarge(BadInput):
    """A query's result passed the endpoint's byte cap; reading stopped there."""


def _code_only(cypher: str) -> str:
    """``cypher`` with string literals blanked, comments dropped and backtick quoting removed."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("`"):
            return token.strip("`")
        if token.startswith(("//", "/*")):
            return " "
        return "''"

    return _TOKEN.sub(replace, cypher)


def _check_closed(cypher: str) -> None:
    """Refuse an unterminated comment or quote: Neo4j 5.26's lexer fails on it with an unclassified
    DatabaseError (which would read as a server fault) instead of a syntax error."""
    for match in _TOKEN.finditer(cypher):
        if not any(group is not None for group in match.groups()):
            token = match.group(0)
            opener = "/*" if token.startswith("/*") else token[0]
            closer = "*/" if opener == "/*" else opener
            line = cypher.count("\n", 0, match.start()) + 1
            raise BadInput(f"unterminated {opener} at line {line}: close it with {closer}")


def check_static(cypher: str) -> None:
    """Refuse, before Neo4j sees it, what EXPLAIN's query type would not reveal.

    DBMS procedures, admin commands, LOAD CSV and USE plan as reads, so they are refused by name.
    """
    _check_closed(cypher)
    code = _code_only(cypher)
    if _LOAD_CSV.search(code):
        raise CypherRefused("LOAD CSV is not allowed here: the endpoint only reads the graph")
    if _USE.search(code):
        raise CypherRefused("USE is not allowed here: queries run against the configured database")
    if _ADMIN.search(code) or _ACCESS.search(code):
        raise CypherRefused("administration commands are not allowed here: the endpoint only reads the graph")
    for match in _CALL.finditer(code):
        name = match.group(1).lower()
        if _refused_procedure(name):
            raise CypherRefused(
                f"CALL {match.group(1)} is not allowed here: the endpoint only reads the graph"
            )


def _refused_procedure(name: str) -> bool:
    return name.startswith(("dbms.", "tx.", "db.", "apoc.")) and name not in ALLOWED_PROCEDURES


def check_text(cypher: str, params: dict[str, Any]) -> None:
    """BadInput for text Neo4j must not be handed: too long, nested too deep, or not encodable as UTF-8
    (a lone surrogate such as \\ud800 in the query or in a parameter's keys or strings)."""
    if len(cypher) > MAX_QUERY_CHARS:
        raise BadInput(f"the query is {len(cypher)} characters long: at most {MAX_QUERY_CHARS} are allowed")
    _check_utf8(cypher, "the query")
    _check_utf8_values(params, "params")
    depth = deepest = 0
    for char in _code_only(cypher):
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    if deepest > MAX_NESTING:
        raise BadInput(
            f"the query nests brackets {deepest} levels deep: at most {MAX_NESTING} are allowed, "
            "pass deep values as a parameter instead"
        )


def _check_utf8(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise BadInput(
            f"{where} holds a character that is not valid Unicode at position {e.start} "
            "(a lone surrogate such as \\ud800): remove it"
        ) from e


def _check_utf8_values(value: Any, name: str) -> None:
    if isinstance(value, str):
        _check_utf8(value, name)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_utf8(str(k), f"the parameter name {name}.…")
            _check_utf8_values(v, f"{name}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_utf8_values(v, f"{name}[{i}]")


def check_plan(session: Session, cypher: str, params: dict[str, Any], *, timeout_s: float) -> None:
    """Plan ``cypher`` with EXPLAIN (nothing runs; planning stops after ``timeout_s``, QueryTimeout) and
    refuse it (CypherRefused) unless its query type is read and every operator and procedure in its plan
    is on the allowlists."""
    try:
        # User text, only planned; the transaction's time limit bounds planning as it bounds running.
        summary = session.run(Query(f"{EXPLAIN}{cypher}", timeout=timeout_s), params).consume()
    except ClientError as e:
        if e.code is not None and "TransactionTimedOut" in e.code:
            raise QueryTimeout(
                f"Neo4j could not plan the query within the {timeout_s:g} s limit: make it shorter or simpler"
            ) from e
        if e.code != "Neo.ClientError.Statement.SyntaxError":
            raise
        raise BadInput(syntax_error_text(e.message or "")) from e
    except DatabaseError as e:
        # Planning only reads the text, so an unclassified error here is the text tripping Neo4j's parser
        # (5.26 fails this way on some unterminated tokens and on astral characters in comments).
        if e.code != "Neo.DatabaseError.General.UnknownError":
            raise
        raise BadInput(f"Neo4j could not read this query ({e.message}): check its syntax") from e
    if summary.query_type != "r":
        kinds = {"rw": "reads and writes", "w": "writes", "s": "changes the schema"}
        what = kinds.get(summary.query_type or "", f"is of type {summary.query_type!r}")
        raise CypherRefused(f"this query {what}: the endpoint only runs read-only queries")
    if summary.plan is None:
        raise CypherRefused("Neo4j gave no plan for this query: the endpoint only runs queries it can check")
    _check_operators(summary.plan)


_OPERATOR_WORDS = {
    "LoadCSV": "LOAD CSV",
    "ShowTransactions": "SHOW TRANSACTIONS",
    "TerminateTransactions": "TERMINATE TRANSACTIONS",
    "ShowSettings": "SHOW SETTINGS",
    "TransactionApply": "CALL … IN TRANSACTIONS",
    "TransactionForeach": "CALL … IN TRANSACTIONS",
}


def _check_operators(plan: dict[str, Any]) -> None:
    """CypherRefused for the first operator of ``plan`` (a tree of dicts) that is not a read."""
    stack = [plan]
    while stack:
        step = stack.pop()
        operator = str(step.get("operatorType", "")).split("@", 1)[0]
        if operator not in READ_OPERATORS:
            what = _OPERATOR_WORDS.get(operator, f"the operator {operator}")
            raise CypherRefused(f"{what} is not allowed here: the endpoint only reads the graph")
        if operator == "ProcedureCall":
            details = str((step.get("args") or step.get("arguments") or {}).get("Details", ""))
            found = _PROCEDURE_NAME.match(details)
            name = found.group(1) if found else details
            if name.lower() not in ALLOWED_PROCEDURES:
                raise CypherRefused(f"CALL {name} is not allowed here: the endpoint only reads the graph")
        stack.extend(step.get("children") or [])


def missing_parameter_text(message: str) -> str:
    """Neo4j's "Expected parameter(s): x" said with what to do about it."""
    return f"{message}: give a value for each $parameter in params, or write the value into the query"


def syntax_error_text(message: str) -> str:
    """Neo4j's syntax error as the user wrote the query: "Error in the query at line 1, column 11: …", the
    line quoted and the caret under the place, with the EXPLAIN prefix gone from both."""
    head, _, rest = message.partition("\n")
    where = _WHERE.search(head)
    if where is None:
        return f"Error in the query: {_unprefixed(head)}" + (f"\n{_unprefixed_snippet(rest)}" if rest else "")
    line, column = int(where.group(1)), int(where.group(2))
    if line == 1:
        column = max(1, column - len(EXPLAIN))
    what = head[: where.start()] + head[where.end() :]
    text = f"Error in the query at line {line}, column {column}: {what.strip()}"
    return text + (f"\n{_unprefixed_snippet(rest)}" if rest else "")


def _unprefixed(text: str) -> str:
    return text.replace(f'"{EXPLAIN}', '"', 1)


def _unprefixed_snippet(snippet: str) -> str:
    """Neo4j's quoted line and caret: the quotes dropped, and on the first line the prefix and its width."""
    lines = snippet.splitlines()
    if len(lines) < 2:
        return snippet.strip()
    quoted, caret = lines[0], lines[1]
    if quoted.startswith('"') and quoted.endswith('"'):
        quoted, caret = quoted[1:-1], caret[1:]
    if quoted.startswith(EXPLAIN):
        quoted, caret = quoted[len(EXPLAIN) :], caret[len(EXPLAIN) :]
    return f"{quoted}\n{caret}"
