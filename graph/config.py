"""One settings object, read from the environment (and `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
# A checkout keeps its data, its local Neo4j and the jars beside the code; an installed package keeps them
# in the folder it runs in (the package's own Cypher and rules: graph.files).
BASE = ROOT if (ROOT / "pyproject.toml").is_file() else Path()


class Settings(BaseSettings):
    """Where Neo4j is and how the app behaves. ``NEO4J_*`` point at any Neo4j; ``INNOGRAPH_*`` the rest."""

    model_config = SettingsConfigDict(env_prefix="INNOGRAPH_", env_file=".env", extra="ignore")

    neo4j_uri: str = Field(
        default="bolt://127.0.0.1:7687", validation_alias=AliasChoices("NEO4J_URI", "INNOGRAPH_NEO4J_URI")
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias=AliasChoices("NEO4J_USER", "INNOGRAPH_NEO4J_USER")
    )
    # Unset: the password the local server generated on its first start, kept in `password_file`.
    neo4j_password: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_PASSWORD", "INNOGRAPH_NEO4J_PASSWORD"),
    )
    neo4j_database: str = Field(
        default="neo4j", validation_alias=AliasChoices("NEO4J_DATABASE", "INNOGRAPH_NEO4J_DATABASE")
    )
    # Local server started by the project (ignored when NEO4J_URI points elsewhere and you don't start it)
    neo4j_home: Path = BASE / ".neo4j" / "home"
    neo4j_lib: Path = BASE / "tools" / "neo4j" / "lib"
    neo4j_http_port: int = 7474
    neo4j_heap: str = "512m"
    neo4j_pagecache: str = "256m"
    # Java for the local server: INNOGRAPH_JAVA, else $JAVA_HOME/bin/java, else `java` on PATH
    java: Path | None = None
    neo4j_start_timeout_s: float = 180.0
    # `innograph ingest --bulk`: neo4j-admin's JVM heap and its off-heap memory (--max-off-heap-memory),
    # kept small enough that a first load of millions of facts stays within a few GB on a shared machine.
    bulk_import_heap: str = "1g"
    bulk_import_off_heap: str = "1g"

    data_dir: Path = BASE / "data"
    # The curator's corrections (merges, renames, rejected and added facts) as JSON Lines, applied at ingest.
    curation_dir: Path = BASE / "data" / "curation"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # uvicorn worker processes of `innograph run` and `innograph serve`, each with its own driver: one
    # process's Python is one core at most, so two cores serve about twice the requests with two.
    api_workers: int = Field(default=1, ge=1)
    api_key: SecretStr | None = None
    # Who holds INNOGRAPH_API_KEY: each correction made with it records this name.
    api_key_owner: str = "curator"
    cypher_timeout_s: float = 5.0
    cypher_row_cap: int = 1000
    # Planning's own limit (EXPLAIN): longer than a run's, as a server's first plans of a kind are slow.
    cypher_plan_timeout_s: float = 10.0
    # Bytes of rows a /cypher answer may hold (JSON); past it the query is refused with 413.
    cypher_max_bytes: int = 8 * 1024 * 1024
    # POST /cypher queries running at once; past it a request gets 429 (the API's threads stay free).
    max_concurrent_cypher: int = Field(default=8, ge=1)
    # Exports running at once (each streams the graph from Neo4j in pages); past it a request gets 429.
    max_concurrent_exports: int = Field(default=2, ge=1)
    # Rows per Neo4j read of a streamed export: what the API and Neo4j hold of one export at a time.
    export_batch_size: int = Field(default=1000, ge=1)
    max_upload_bytes: int = 20 * 1024 * 1024
    # An upload is read and extracted in a process of its own, stopped past these budgets.
    upload_timeout_s: float = 120.0
    upload_memory_bytes: int = 2 * 1024 * 1024 * 1024

    @property
    def password_file(self) -> Path:
        """Where the local server keeps the password it generated on first start (user-only, mode 600)."""
        return self.neo4j_home / "password"

    def neo4j_secret(self) -> SecretStr:
        """NEO4J_PASSWORD if set, else the local server's generated one; ConfigError when neither exists."""
        if self.neo4j_password is not None:
            return self.neo4j_password
        try:
            return SecretStr(self.password_file.read_text(encoding="utf-8").strip())
        except FileNotFoundError:
            raise ConfigError(
                f"no Neo4j password: set NEO4J_PASSWORD, or start the local server once (innograph run), "
                f"which generates one in {self.password_file}"
            ) from None
        except OSError as e:
            raise ConfigError(f"cannot read the Neo4j password in {self.password_file}: {e}") from e

    @property
    def upload_dir(self) -> Path:
        """Where POST /documents keeps the files it ingests, so that a rebuild ingests them again."""
        return self.data_dir / "uploads"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
