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


class Busy(InnographError):
    """The server already runs as much of this kind of work as it allows at once: retry after a while."""

    def __init__(self, message: str, *, retry_after_s: int = 5) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
