"""Read-only checking of user Cypher: a static screen, then EXPLAIN's query type.

The READ-mode transaction the query then runs in is the second line of defence: even if a write slipped
past these checks, Neo4j refuses to write in it.
"""

from __future__ import annotations

import re
from typing import Any

from neo4j import Session
from neo4j.exceptions import ClientError, DatabaseError

from graph.errors import BadInput, InnographError

# Procedures callable from the read-only endpoint when their namespace is otherwise refused.
_ALLOWED_DB_PROCEDURES = frozenset(
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
# apoc namespaces that only read; every other apoc procedure may write, import or run other Cypher.
_READ_ONLY_APOC = ("apoc.meta.", "apoc.path.", "apoc.algo.", "apoc.coll.", "apoc.text.", "apoc.map.")
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
    if name.startswith("dbms.") or name.startswith("tx."):
        return True
    if name.startswith("db."):
        return name not in _ALLOWED_DB_PROCEDURES
    if name.startswith("apoc."):
        return not name.startswith(_READ_ONLY_APOC)
    return False


def check_query_type(session: Session, cypher: str, params: dict[str, Any]) -> None:
    """Plan ``cypher`` with EXPLAIN (nothing runs) and refuse anything whose query type is not 'r'."""
    try:
        summary = session.run(f"{EXPLAIN}{cypher}", params).consume()  # user text, only planned
    except ClientError as e:
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
