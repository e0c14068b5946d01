"""graph.server: the local Neo4j starts, stops, restarts on its data, and refuses a bad machine in one line.

The pre-flight tests run no server (at most a `java -version`); the lifecycle tests start real ones on
free ports in temporary homes, next to the session's server. The `innograph neo4j` CLI is tested here too.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import GraphDatabase
from typer.testing import CliRunner

from app.cli import app
from graph.config import Settings, get_settings
from graph.errors import ConfigError, Neo4jUnavailable
from graph.server import (
    HARDENING,
    LocalNeo4j,
    Neo4jStartFailed,
    check_port_free,
    find_free_ports,
    parse_java_major,
)

LIB = Settings(_env_file=None).neo4j_lib  # type: ignore[call-arg]


def _server(home: Path, **overrides: object) -> LocalNeo4j:
    bolt_port, http_port = find_free_ports(2)
    args: dict[str, object] = {
        "home": home,
        "lib": LIB,
        "password": secrets.token_urlsafe(12),
        "bolt_port": bolt_port,
        "http_port": http_port,
    }
    args.update(overrides)
    return LocalNeo4j(**args)  # type: ignore[arg-type]


def _fake_java(dir: Path, version_line: str, body: str = "exit 0") -> Path:
    """A `java` script: prints ``version_line`` for -version, otherwise runs ``body`` (sh)."""
    dir.mkdir(parents=True, exist_ok=True)
    java = dir / "java"
    java.write_text(
        f'#!/bin/sh\nif [ "$1" = "-version" ]; then echo \'{version_line}\' >&2; exit 0; fi\n{body}\n',
        encoding="utf-8",
    )
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return java


def _one_line(message: str) -> str:
    assert "\n" not in message and message.strip() == message
    return message


@pytest.fixture
def listener() -> Iterator[int]:
    """A port on 127.0.0.1 that something else is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


# --- pre-flight: one-line ConfigError, nothing started ------------------------------------------------


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_292"', 8),
        ('openjdk version "11.0.2" 2019-01-15 LTS', 11),
        ("no version here", None),
    ],
)
def test_parse_java_major(output: str, major: int | None) -> None:
    assert parse_java_major(output) == major


def test_java_missing(tmp_path: Path) -> None:
    server = _server(tmp_path / "home", java=tmp_path / "nowhere" / "java")
    with pytest.raises(ConfigError) as e:
        server.start()
    msg = _one_line(str(e.value))
    assert "Java not found" in msg and str(tmp_path / "nowhere" / "java") in msg and "INNOGRAPH_JAVA" in msg
    assert not server.is_running and not (tmp_path / "home" / "conf").exists()  # nothing was touched


def test_java_home_without_java(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    with pytest.raises(ConfigError) as e:
        _server(tmp_path / "home").start()
    assert "JAVA_HOME" in _one_line(str(e.value))


@pytest.mark.parametrize(
    ("version_line", "major"), [('openjdk version "11.0.2"', 11), ('java version "1.8.0_292"', 8)]
)
def test_java_too_old(tmp_path: Path, version_line: str, major: int) -> None:
    java = _fake_java(tmp_path / "bin", version_line)
    with pytest.raises(ConfigError) as e:
        _server(tmp_path / "home", java=java).start()
    msg = _one_line(str(e.value))
    assert f"Java {major} at {java} is too old" in msg and "17" in msg


def test_java_too_old_found_through_java_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_java(tmp_path / "jdk" / "bin", 'openjdk version "11.0.2"')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    with pytest.raises(ConfigError) as e:
        _server(tmp_path / "home").start()
    assert f"Java 11 at {tmp_path / 'jdk' / 'bin' / 'java'} is too old" in _one_line(str(e.value))


def test_java_version_unreadable(tmp_path: Path) -> None:
    java = _fake_java(tmp_path / "bin", "Picked up _JAVA_OPTIONS: nothing else")
    with pytest.raises(ConfigError) as e:
        _server(tmp_path / "home", java=java).start()
    assert "cannot read the Java version" in _one_line(str(e.value))


def test_jars_missing(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    with pytest.raises(ConfigError) as e:
        _server(tmp_path / "home", lib=tmp_path / "lib").start()
    msg = _one_line(str(e.value))
    assert str(tmp_path / "lib") in msg and "run `make neo4j-jars`" in msg


def test_bolt_port_taken(tmp_path: Path, listener: int) -> None:
    with pytest.raises(ConfigError) as e:
        _server(tmp_path / "home", bolt_port=listener).start()
    msg = _one_line(str(e.value))
    assert f"port {listener} is in use" in msg and "NEO4J_URI" in msg


def test_http_port_taken(tmp_path: Path, listener: int) -> None:
    with pytest.raises(ConfigError) as e:
        _server(tmp_path / "home", http_port=listener).start()
    msg = _one_line(str(e.value))
    assert f"port {listener} is in use" in msg and "INNOGRAPH_NEO4J_HTTP_PORT" in msg


def test_short_password_and_bad_sizes(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="8 characters"):
        _server(tmp_path / "home", password="short").start()
    with pytest.raises(ConfigError, match="INNOGRAPH_NEO4J_HEAP='lots'"):
        _server(tmp_path / "home", heap="lots").start()


def test_from_settings_takes_the_bolt_port_from_the_uri() -> None:
    settings = Settings(_env_file=None, NEO4J_URI="bolt://localhost:7999")  # type: ignore[call-arg]
    server = LocalNeo4j.from_settings(settings)
    assert (server.bolt_port, server.http_port, server.home) == (7999, 7474, settings.neo4j_home.resolve())


@pytest.mark.parametrize("uri", ["neo4j+s://abc.databases.neo4j.io", "bolt://db.example.org:7687"])
def test_from_settings_refuses_a_remote_uri(uri: str) -> None:
    with pytest.raises(ConfigError) as e:
        LocalNeo4j.from_settings(Settings(_env_file=None, NEO4J_URI=uri))  # type: ignore[call-arg]
    assert f"NEO4J_URI={uri} is not a Neo4j on this machine" in _one_line(str(e.value))


def test_find_free_ports_are_distinct_and_bindable() -> None:
    ports = find_free_ports(3)
    assert len(set(ports)) == 3
    for port in ports:
        check_port_free(port, hint="-")


def test_process_that_dies_gives_its_log(tmp_path: Path) -> None:
    # A java that passes the checks, then fails as a broken JVM would: the error must carry the log.
    java = _fake_java(
        tmp_path / "bin",
        'openjdk version "17.0.9"',
        'case "$*" in *AdminTool*) exit 0;; esac\n'
        'echo "Error: Could not find or load main class org.neo4j.server.CommunityEntryPoint"; exit 3',
    )
    server = _server(tmp_path / "home", java=java)
    with pytest.raises(Neo4jStartFailed) as e:
        server.start()
    msg = _one_line(str(e.value))
    assert "exited with code 3" in msg and "Could not find or load main class" in msg
    assert str(server.log_file) in msg and "CommunityEntryPoint" in e.value.log_tail
    assert isinstance(e.value, Neo4jUnavailable) and not server.is_running


# --- lifecycle: real servers ---------------------------------------------------------------------------


def _count_probes(server: LocalNeo4j) -> int:
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as d:
        return int(d.execute_query("MATCH (p:Probe) RETURN count(p) AS n").records[0]["n"])


def test_start_stop_restart_keeps_data(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server = _server(home, password="-" + secrets.token_urlsafe(12))  # a leading '-' is no option
    try:
        server.start()  # first start: sets the password
        assert server.is_running
        with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as d:
            d.execute_query("CREATE (:Probe {at: $at})", at=time.time())
        conf = (home / "conf" / "neo4j.conf").read_text(encoding="utf-8")
        assert f"server.bolt.advertised_address=127.0.0.1:{server.bolt_port}" in conf
        # the Browser's usage banner is off, and the running server took the setting
        assert "client.allow_telemetry=false" in conf
        with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as d:
            shown = d.execute_query("SHOW SETTINGS YIELD name, value WHERE name = 'client.allow_telemetry'")
        assert [(r["name"], r["value"]) for r in shown.records] == [("client.allow_telemetry", "false")]
        # the server-side limits (issue 12) are written and in force
        with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as d:
            limits = d.execute_query(
                "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value",
                names=[*HARDENING, "db.memory.transaction.max", "db.memory.transaction.total.max"],
            )
        live = {r["name"]: r["value"] for r in limits.records}
        assert all(f"{name}={value}" in conf for name, value in HARDENING.items())
        assert "internal.dbms.cypher_ip_blocklist=0.0.0.0/0,::/0" in conf  # internal: SHOW SETTINGS hides it
        assert live["dbms.security.allow_csv_import_from_file_urls"] == "false"
        assert live["db.transaction.timeout"] in ("2m", "120s")
        assert "db.stats.retrieve" not in live["dbms.security.procedures.allowlist"]
        assert live["db.memory.transaction.max"] != "0B" and live["db.memory.transaction.total.max"] != "0B"

        # A second server on the same home is refused before it touches anything.
        with pytest.raises(ConfigError) as e:
            _server(home, password=server.password).start()
        assert f"a Neo4j is already running on {home.resolve()}" in _one_line(str(e.value))

        server.stop()
        assert not server.is_running and "Stopped." in server.log_tail()  # shut down, not killed
        check_port_free(server.bolt_port, hint="-")  # the ports are released
        check_port_free(server.http_port, hint="-")
        server.stop()  # idempotent

        # The password is fixed on first start: another one is refused with a message saying so.
        wrong = _server(home, password="not-the-first-password", bolt_port=server.bolt_port)
        with pytest.raises(Neo4jUnavailable) as e:
            wrong.start()
        msg = _one_line(str(e.value))
        assert "refused user 'neo4j'" in msg and "NEO4J_PASSWORD" in msg and str(home.resolve()) in msg
        assert not wrong.is_running

        with server:  # restart on the same home: the data is still there
            assert _count_probes(server) == 1
        assert not server.is_running
    finally:
        server.stop()


# --- the `innograph neo4j` CLI -----------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Environment for CLI runs; the cached settings are dropped before and after."""
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_cli_status_unreachable(cli_env: pytest.MonkeyPatch) -> None:
    (port,) = find_free_ports(1)
    cli_env.setenv("NEO4J_URI", f"bolt://127.0.0.1:{port}")
    result = CliRunner().invoke(app, ["neo4j", "status"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: cannot reach Neo4j at bolt://127.0.0.1:{port}: start it with `make run` or set NEO4J_URI"
    )


def test_cli_start_without_java(cli_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    handlers = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
    bolt_port, http_port = find_free_ports(2)
    cli_env.setenv("NEO4J_URI", f"bolt://127.0.0.1:{bolt_port}")
    cli_env.setenv("INNOGRAPH_NEO4J_HTTP_PORT", str(http_port))
    cli_env.setenv("INNOGRAPH_NEO4J_HOME", str(tmp_path / "home"))
    cli_env.setenv("INNOGRAPH_JAVA", str(tmp_path / "no-java"))
    result = CliRunner().invoke(app, ["neo4j", "start"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith("error: Java not found at")
        and "Traceback" not in result.output
    )
    # The command's own Ctrl-C handling is undone: later children must not inherit an ignored SIGTERM.
    assert [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)] == handlers


def test_cli_start_runs_until_interrupted(tmp_path: Path) -> None:
    bolt_port, http_port = find_free_ports(2)
    env = {
        **os.environ,
        "NEO4J_URI": f"bolt://127.0.0.1:{bolt_port}",
        "NEO4J_PASSWORD": secrets.token_urlsafe(12),
        "INNOGRAPH_NEO4J_HTTP_PORT": str(http_port),
        "INNOGRAPH_NEO4J_HOME": str(tmp_path / "home"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "neo4j", "start"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    up = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C stops it" in line:
                up.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert up.wait(240), "".join(lines)
        status = subprocess.run(
            [sys.executable, "-m", "app.cli", "neo4j", "status"], env=env, capture_output=True, text=True
        )
        assert status.returncode == 0 and f"is up at bolt://127.0.0.1:{bolt_port}" in status.stdout
        proc.send_signal(signal.SIGINT)
        assert proc.wait(120) == 0, "".join(lines)
        reader.join(10)
        assert "Neo4j stopped" in lines[-1]
        check_port_free(bolt_port, hint="-")  # the server went with the command
    finally:
        if proc.poll() is None:  # SIGTERM first: the command stops its Neo4j; a kill would orphan it
            proc.terminate()
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_the_first_start_generates_a_user_only_password_that_later_starts_reuse(tmp_path: Path) -> None:
    from graph.server import local_password

    path = tmp_path / "home" / "password"
    first = local_password(path, initialised=False)
    assert len(first) >= 24 and first != "innograph-dev"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_password(path, initialised=True) == first
    settings = Settings(_env_file=None, neo4j_home=tmp_path / "home")  # type: ignore[call-arg]
    assert settings.neo4j_password is None
    assert settings.neo4j_secret().get_secret_value() == first  # what the API and the CLI log in with
    server = LocalNeo4j.from_settings(settings)
    assert (server.password, server.password_file) == ("", settings.password_file)


def test_a_home_started_before_generated_passwords_keeps_the_former_default(tmp_path: Path) -> None:
    from graph.server import FORMER_DEFAULT_PASSWORD, local_password

    assert local_password(tmp_path / "password", initialised=True) == FORMER_DEFAULT_PASSWORD


def test_no_password_anywhere_says_where_to_set_one(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, INNOGRAPH_NEO4J_HOME=str(tmp_path))  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="set NEO4J_PASSWORD"):
        settings.neo4j_secret()


def test_set_password_wins_over_the_file(tmp_path: Path) -> None:
    (tmp_path / "password").write_text("from-the-file\n")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, INNOGRAPH_NEO4J_HOME=str(tmp_path), NEO4J_PASSWORD="my-own-password"
    )
    assert settings.neo4j_secret().get_secret_value() == "my-own-password"
    assert LocalNeo4j.from_settings(settings).password == "my-own-password"
