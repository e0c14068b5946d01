"""The local Neo4j server the project starts by itself: Neo4j 5.26 Community jars run on Java 17+, no Docker.

`LocalNeo4j(...).start()` writes ``<home>/conf/neo4j.conf``, sets the initial password on first start,
launches the JVM and returns once Bolt, the database and HTTP answer; `stop()` shuts it down cleanly.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import IO, Self
from urllib.parse import urlsplit

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError

from graph.config import Settings
from graph.errors import ConfigError, Neo4jUnavailable

logger = logging.getLogger(__name__)

MIN_JAVA = 17
SUPPORTED_JAVA = (17, 21)  # what Neo4j 5.26 itself accepts without a warning
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
# What `neo4j-admin` (org.neo4j.server.startup.Neo4jAdminCommand) re-executes in a second JVM; calling it
# directly sets the password in one JVM instead of two (about 1 s instead of 5 s).
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
# JVM flags of Neo4j's own launcher. The --add-opens / --enable-native-access / log4j lines are the ones
# org.neo4j.commandline.dbms.ConfigFileMigrator (neo4j-dbms-5.26.30.jar) requires in server.jvm.additional;
# the others are the defaults of the distribution's conf/neo4j.conf; -Dfile.encoding=UTF-8 and -Xms/-Xmx
# are what org.neo4j.server.startup.BootloaderOsAbstraction adds. Without java.nio opened the page cache
# falls back to a slower mode.
JVM_FLAGS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_SIZE = re.compile(r"^[1-9][0-9]*[kKmMgG]?$")
_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?[^"]*"')
# Server-side limits that hold whatever a query gets past the API's checks (README: "An external Neo4j").
# Only the procedures the app and the read-only console use are loaded; Neo4j Browser's start-up needs
# dbms.clientConfig and dbms.showCurrentUser.
PROCEDURE_ALLOWLIST: tuple[str, ...] = (
    "db.awaitIndexes",
    "db.index.fulltext.queryNodes",
    "db.index.fulltext.queryRelationships",
    "db.index.fulltext.listAvailableAnalyzers",
    "db.labels",
    "db.relationshipTypes",
    "db.propertyKeys",
    "db.schema.visualization",
    "db.schema.nodeTypeProperties",
    "db.schema.relTypeProperties",
    "db.info",
    "db.ping",
    "dbms.components",
    "dbms.clientConfig",
    "dbms.showCurrentUser",
)
HARDENING: dict[str, str] = {
    "dbms.security.procedures.allowlist": ",".join(PROCEDURE_ALLOWLIST),
    # LOAD CSV may fetch nothing: no address is reachable and file URLs are off.
    # Neo4j 5.26 spells dbms.cypher.ip_blocklist this way (the older name is refused at start-up).
    "internal.dbms.cypher_ip_blocklist": "0.0.0.0/0,::/0",
    "dbms.security.allow_csv_import_from_file_urls": "false",
    # No transaction runs unbounded; the API's own limits (INNOGRAPH_CYPHER_TIMEOUT_S) are far shorter.
    "db.transaction.timeout": "120s",
}
_POLL_S = 0.25
_LOG_TAIL_LINES = 40
_RUNNING: set[LocalNeo4j] = set()  # started and not yet stopped


class Neo4jStartFailed(Neo4jUnavailable):
    """The local server exited or timed out while starting; ``log_tail`` holds the end of its log."""

    def __init__(self, message: str, log_tail: str) -> None:
        super().__init__(message)
        self.log_tail = log_tail


class LocalNeo4j:
    """One Neo4j Community server on 127.0.0.1, its state (data, logs, conf) under ``home``."""

    def __init__(
        self,
        *,
        home: Path,
        lib: Path,
        password: str,
        password_file: Path | None = None,
        bolt_port: int = 7687,
        http_port: int = 7474,
        database: str = "neo4j",
        heap: str = "512m",
        pagecache: str = "256m",
        java: Path | None = None,
        start_timeout_s: float = 180.0,
    ) -> None:
        self.home = home.resolve()
        self.lib = lib.resolve()
        # An empty password with a password_file: the one in that file, generated there on first start.
        self.password = password
        self.password_file = password_file
        self.user = "neo4j"  # the only user a fresh Community server has
        self.bolt_port = bolt_port
        self.http_port = http_port
        self.database = database
        self.heap = heap
        self.pagecache = pagecache
        self.java = java
        self.start_timeout_s = start_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalNeo4j:
        """The server ``settings`` describe; its Bolt port is NEO4J_URI's port, so the two always agree."""
        if settings.neo4j_user != "neo4j":
            raise ConfigError(
                f"the local Neo4j only has user 'neo4j', not {settings.neo4j_user!r}: unset NEO4J_USER"
            )
        return cls(
            home=settings.neo4j_home,
            lib=settings.neo4j_lib,
            password="" if settings.neo4j_password is None else settings.neo4j_password.get_secret_value(),
            password_file=None if settings.neo4j_password is not None else settings.password_file,
            bolt_port=local_bolt_port(settings.neo4j_uri),
            http_port=settings.neo4j_http_port,
            database=settings.neo4j_database,
            heap=settings.neo4j_heap,
            pagecache=settings.neo4j_pagecache,
            java=settings.java,
            start_timeout_s=settings.neo4j_start_timeout_s,
        )

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def log_file(self) -> Path:
        """Where the server's console output goes (rewritten on each start)."""
        return self.home / "logs" / "console.log"

    @property
    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.is_running and self._proc is not None else None

    def start(self) -> None:
        """Check the machine, start the server, wait until it serves; else ConfigError / Neo4jUnavailable."""
        if self.is_running:
            return
        self.stop()  # a server that died since: forget it and close its log
        if not self.password and self.password_file is not None:
            self.password = local_password(self.password_file, initialised=self._initialised)
        java = self.preflight()
        self._write_conf()
        if not self._initialised:
            self._set_initial_password(java)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_file.open("wb")
        cmd = [
            str(java),
            "-cp",
            str(self.lib / "*"),
            *JVM_FLAGS,
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.conf_dir}",
            "--console-mode",
        ]
        logger.info("starting Neo4j on %s (home %s)", self.uri, self.home)
        if signal.getsignal(signal.SIGTERM) == signal.SIG_IGN:  # inherited by the JVM, which then keeps it
            logger.warning("SIGTERM is ignored in this process: Neo4j will ignore it too, and stop() kill it")
        # A session of its own: Ctrl-C in a terminal reaches us, and we stop the server in order.
        self._proc = subprocess.Popen(
            cmd,
            cwd=self.home,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _RUNNING.add(self)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    @property
    def _file_hint(self) -> str:
        return "" if self.password_file is None else f" (or put it in {self.password_file})"

    @property
    def _initialised(self) -> bool:
        """Whether the server has started here before (its system database exists, the password is set)."""
        return (self.home / "data" / "databases" / "system").exists()

    def stop(self, timeout_s: float = 60.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout_s``); does nothing if it is not running."""
        proc, self._proc = self._proc, None
        _RUNNING.discard(self)
        if proc is not None and proc.poll() is None:
            logger.info("stopping Neo4j on %s", self.uri)
            proc.terminate()
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                logger.warning("Neo4j did not stop within %.0f s: killing it", timeout_s)
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def wait(self) -> int:
        """Block until the server process exits; returns its exit code."""
        if self._proc is None:
            raise Neo4jUnavailable(f"Neo4j on {self.uri} is not running: start it first")
        return self._proc.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def preflight(self) -> Path:
        """Check password, sizes, jars, ports, Java (cheapest first); the java to run, or ConfigError."""
        if len(self.password) < 8:
            raise ConfigError(
                "NEO4J_PASSWORD is shorter than 8 characters, Neo4j's minimum: choose a longer one"
            )
        for name, size in (
            ("INNOGRAPH_NEO4J_HEAP", self.heap),
            ("INNOGRAPH_NEO4J_PAGECACHE", self.pagecache),
        ):
            if not _SIZE.match(size):
                raise ConfigError(f"{name}={size!r} is not a size: use e.g. 512m or 1g")
        check_jars(self.lib)
        check_home_free(self.home)
        if self.bolt_port == self.http_port:
            raise ConfigError(f"Bolt and HTTP both want port {self.bolt_port}: set INNOGRAPH_NEO4J_HTTP_PORT")
        check_port_free(self.bolt_port, hint="set NEO4J_URI=bolt://127.0.0.1:<another port>")
        check_port_free(self.http_port, hint="set INNOGRAPH_NEO4J_HTTP_PORT")
        java = find_java(self.java)
        check_java(java)
        return java

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The last ``lines`` lines of the console log ('' when there is none)."""
        try:
            with self.log_file.open("r", encoding="utf-8", errors="replace") as f:
                return "".join(deque(f, maxlen=lines))
        except FileNotFoundError:
            return ""

    def _write_conf(self) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        h = self.home
        settings = {
            "server.directories.data": h / "data",
            "server.directories.logs": h / "logs",
            "server.directories.run": h / "run",
            "server.directories.import": h / "import",
            "server.directories.plugins": h / "plugins",
            "server.directories.licenses": h / "licenses",
            "server.directories.lib": self.lib,
            "initial.dbms.default_database": self.database,
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.enabled": "true",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.enabled": "true",
            "server.http.listen_address": f"127.0.0.1:{self.http_port}",
            "server.http.advertised_address": f"127.0.0.1:{self.http_port}",
            "server.https.enabled": "false",
            "server.memory.heap.initial_size": self.heap,
            "server.memory.heap.max_size": self.heap,
            "server.memory.pagecache.size": self.pagecache,
            "dbms.usage_report.enabled": "false",
            # Browser's product-usage banner and the analytics it asks consent for.
            "client.allow_telemetry": "false",
            # A fresh home would otherwise take 2 x 256 MB of pre-allocated transaction log.
            "db.tx_log.preallocate": "false",
            # Neo4j waits 2 x 5 s for Bolt's event loops to go quiet on shutdown; nothing is left to drain
            # by then (the databases are already stopped), so stop takes ~1 s instead of ~11 s.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
            **HARDENING,
            # A heavy query fails with MemoryPoolOutOfMemoryError instead of running the JVM out of heap.
            "db.memory.transaction.max": _fraction_of(self.heap, 4),
            "db.memory.transaction.total.max": _fraction_of(self.heap, 2),
        }
        lines = ["# Written by innograph (graph/server.py) on every start: change Settings, not this file."]
        lines += [f"{key}={value}" for key, value in settings.items()]
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _set_initial_password(self, java: Path) -> None:
        cmd = [str(java), "-cp", str(self.lib / "*"), "-Dfile.encoding=UTF-8", f"-Xmx{self.heap}", ADMIN_TOOL]
        # `--` ends the options: a password may start with '-'.
        cmd += ["dbms", "set-initial-password", "--", self.password]
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}
        done = subprocess.run(cmd, cwd=self.home, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            said = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
            why = said[0] if said else f"exit code {done.returncode}"  # picocli says what is wrong first
            raise ConfigError(f"Neo4j could not set the initial password: {why}")

    def _wait_until_ready(self) -> None:
        """Poll Bolt (connectivity, then a query on the database) and HTTP until both answer."""
        assert self._proc is not None
        deadline = time.monotonic() + self.start_timeout_s
        auth = (self.user, self.password)
        # No retries inside the driver: this loop is the retry, and it must see a dead process at once.
        with GraphDatabase.driver(
            self.uri, auth=auth, connection_timeout=2.0, max_transaction_retry_time=0
        ) as d:
            while True:
                rc = self._proc.poll()
                if rc is not None:
                    raise self._failed(f"Neo4j exited with code {rc} while starting")
                try:
                    d.verify_connectivity()
                    d.execute_query("RETURN 1", database_=self.database, routing_="r")
                    if _http_ok(self.http_url):
                        return
                except AuthError as e:
                    raise Neo4jUnavailable(
                        f"Neo4j in {self.home} refused user 'neo4j': its password was set on first start; "
                        f"set NEO4J_PASSWORD to that one{self._file_hint}, "
                        f"or delete {self.home} to start afresh"
                    ) from e
                except ClientError as e:
                    if e.code and "DatabaseNotFound" in e.code:
                        raise ConfigError(
                            f"database {self.database!r} does not exist in {self.home} (Community has one "
                            f"user database, named on first start): set NEO4J_DATABASE or delete {self.home}"
                        ) from e
                    raise self._failed(f"Neo4j refused the start-up check ({e.code})") from e
                except (DriverError, Neo4jError, OSError):
                    pass  # not up yet: Bolt closed, database still starting
                if time.monotonic() > deadline:
                    raise self._failed(
                        f"Neo4j did not answer on {self.uri} within {self.start_timeout_s:.0f} s"
                    )
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(_POLL_S)  # sleeps, but wakes at once if the server dies

    def _failed(self, what: str) -> Neo4jStartFailed:
        tail = self.log_tail()
        return Neo4jStartFailed(f"{what}: {_first_error(tail)} (log: {self.log_file})", tail)


# The password every local server had before passwords were generated; a home made then still has it.
FORMER_DEFAULT_PASSWORD = "innograph-dev"


def local_password(path: Path, *, initialised: bool) -> str:
    """The local server's password kept in ``path`` (mode 600), made on first use: random for a new home,
    the former default for a home that was started before this file existed."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    password = FORMER_DEFAULT_PASSWORD if initialised else secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two processes starting at once, one writes and the other reads what it wrote.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        time.sleep(0.1)
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    os.chmod(path, 0o600)  # whatever the umask did
    logger.info("Neo4j password for user 'neo4j' kept in %s (set NEO4J_PASSWORD to use your own)", path)
    return password


def local_bolt_port(uri: str) -> int:
    """The port of a ``bolt://`` or ``neo4j://`` URI on this machine; ConfigError for anything else."""
    parts = urlsplit(uri)
    if parts.scheme not in {"bolt", "neo4j"} or (parts.hostname or "") not in LOCAL_HOSTS:
        raise ConfigError(
            f"NEO4J_URI={uri} is not a Neo4j on this machine: the local server needs "
            "bolt://127.0.0.1:<port>; unset NEO4J_URI, or use the Neo4j it points at without starting one"
        )
    try:
        return parts.port or 7687
    except ValueError as e:
        raise ConfigError(f"NEO4J_URI={uri} has no valid port: use e.g. bolt://127.0.0.1:7687") from e


def check_jars(lib: Path) -> None:
    """ConfigError unless ``lib`` holds the Neo4j server jars."""
    if not any(lib.glob("neo4j-[0-9]*.jar")) or not any(lib.glob("neo4j-server-*.jar")):
        raise ConfigError(f"the Neo4j jars are not in {lib}: run `make neo4j-jars`")


def check_home_free(home: Path) -> None:
    """ConfigError when a Neo4j already runs on ``home`` (it holds the lock on its store)."""
    try:
        f = (home / "data" / "databases" / "store_lock").open("r+b")
    except OSError:
        return  # no store yet, or not ours to probe: Neo4j itself will say what is wrong
    with f:
        try:
            # Neo4j holds an fcntl lock on this file (FileChannel.tryLock); probing it takes no time.
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            raise ConfigError(
                f"a Neo4j is already running on {home}: stop it first, or set INNOGRAPH_NEO4J_HOME"
            ) from e
        fcntl.lockf(f, fcntl.LOCK_UN)


def check_port_free(port: int, *, hint: str) -> None:
    """ConfigError when something already listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # SO_REUSEADDR: a port left in TIME_WAIT by a server we just stopped is free; a listener is not.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            raise ConfigError(f"port {port} is in use: stop the other Neo4j or {hint}") from e


def _fraction_of(size: str, parts: int) -> str:
    """``size`` (a Neo4j size such as 512m or 2g) divided by ``parts``, in whole megabytes (at least 16m)."""
    units = {"k": 1 / 1024, "m": 1, "g": 1024}
    unit = size[-1].lower()
    megabytes = int(size[:-1]) * units[unit] if unit in units else int(size) / 2**20
    return f"{max(16, int(megabytes // parts))}m"


def find_java(configured: Path | None) -> Path:
    """The java to run: ``configured`` (INNOGRAPH_JAVA), else $JAVA_HOME/bin/java, else `java` on PATH."""
    install = "install Java 17 (apt-get install -y openjdk-17-jre-headless)"
    if configured is not None:
        if not configured.is_file():
            raise ConfigError(f"Java not found at {configured} (INNOGRAPH_JAVA): {install} or fix the path")
        return configured
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        java = Path(java_home) / "bin" / "java"
        if not java.is_file():
            raise ConfigError(f"JAVA_HOME={java_home} has no bin/java: {install} or fix JAVA_HOME")
        return java
    found = shutil.which("java")
    if found is None:
        raise ConfigError(f"Java 17+ is needed to run Neo4j and none was found: {install}, or set JAVA_HOME")
    return Path(found)


def check_java(java: Path) -> int:
    """The major version of ``java``; ConfigError if it does not run or is older than 17."""
    try:
        done = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ConfigError(
            f"cannot run {java} -version ({e}): point INNOGRAPH_JAVA or JAVA_HOME at Java 17+"
        ) from e
    major = parse_java_major(done.stderr + done.stdout)
    if major is None:
        raise ConfigError(f"cannot read the Java version from `{java} -version`: use Java 17 or 21")
    if major < MIN_JAVA:
        raise ConfigError(
            f"Java {major} at {java} is too old: Neo4j 5.26 needs Java 17 or 21; "
            "install openjdk-17-jre-headless or point INNOGRAPH_JAVA / JAVA_HOME at it"
        )
    if major not in SUPPORTED_JAVA:
        logger.warning(
            "Java %d at %s is not one Neo4j 5.26 supports (17, 21): it may still work", major, java
        )
    return major


def parse_java_major(version_output: str) -> int | None:
    """The major version in `java -version` output ('1.8.0_292' -> 8, '17.0.15' -> 17); None if absent."""
    m = _JAVA_VERSION.search(version_output)
    if m is None:
        return None
    first, second = int(m.group(1)), m.group(2)
    return int(second) if first == 1 and second is not None else first


def find_free_ports(count: int = 2) -> list[int]:
    """``count`` distinct TCP ports free on 127.0.0.1 right now (for tests and throw-away servers)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for s in sockets:  # held open together so the ports are distinct
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2.0) as r:
            return bool(200 <= r.status < 300)
    except (urllib.error.URLError, OSError):
        return False


def _first_error(log_tail: str) -> str:
    """The most telling line of a failed start: the root cause, else the first error line, else the last."""
    lines = [line.strip() for line in log_tail.splitlines() if line.strip()]
    causes = [line.removeprefix("Caused by: ") for line in lines if line.startswith("Caused by:")]
    if causes:
        return causes[-1][:300]
    for line in lines:
        if re.search(r"\bERROR\b|Exception|Error:|Invalid|Unrecognized", line):
            return line[:300]
    return lines[-1][:300] if lines else "no output"


@atexit.register
def _stop_all() -> None:
    # A server must not outlive the Python process that started it (tests, `innograph run`).
    for server in list(_RUNNING):
        server.stop()
