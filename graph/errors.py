"""One exception root; each subclass says what went wrong and what to do."""


class InnographError(Exception):
    """Base of every error the project raises on purpose."""


class ConfigError(InnographError):
    """The configuration or the machine is not as needed (Java, ports, credentials)."""


class Neo4jUnavailable(InnographError):
    """Neo4j cannot be reached or refused us."""


class NotFound(InnographError):
    """A key, document or city that is not in the graph."""


class BadInput(InnographError):
    """A file or request the project cannot use."""
