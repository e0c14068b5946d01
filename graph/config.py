"""One settings object, read from the environment (and `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    neo4j_password: SecretStr = Field(
        default=SecretStr("innograph-dev"),
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
    max_upload_bytes: int = 20 * 1024 * 1024
    # An upload is read and extracted in a process of its own, stopped past these budgets.
    upload_timeout_s: float = 120.0
    upload_memory_bytes: int = 2 * 1024 * 1024 * 1024

    @property
    def upload_dir(self) -> Path:
        """Where POST /documents keeps the files it ingests, so that a rebuild ingests them again."""
        return self.data_dir / "uploads"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
