"""docker-compose.yml, Dockerfile and .env.example: the production stack's shape and its secrets.

No Docker engine is needed: the compose file is read as YAML and its `${...}` references are
interpolated here the way Compose does, so a missing secret is shown to stop the stack.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")
# Run once and exit: never restarted, no healthcheck of their own.
ONE_OFF_SERVICES = ("migrate", "backup")
REQUIRED_SECRETS = ("SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|(^|_)KEY$|API_KEY|PRIVATE")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt}
REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")
# A whole value that is one required reference: ${NAME:?message} or ${NAME?message}.
REQUIRED_REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}$")
SAMPLE_ENV = {
    "SECRET_KEY": "k" * 64,
    "ALLOWED_HOSTS": "ecm.example.org",
    "ECM_BASE_URL": "https://ecm.example.org",
    "POSTGRES_PASSWORD": "pg-sample",
    "REDIS_PASSWORD": "redis-sample",
}


class MissingVariable(Exception):
    pass


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's interpolation, enough for this file: `$$` escapes, `${...}` forms above."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        is_set = name in env
        is_nonempty = bool(env.get(name))
        if op is None:
            return env.get(name, "")
        if op in (":-", "-"):
            use_default = not is_nonempty if op == ":-" else not is_set
            return arg if use_default else env[name]
        if op in (":?", "?"):
            missing = not is_nonempty if op == ":?" else not is_set
            if missing:
                raise MissingVariable(f"{name}: {arg}")
            return env[name]
        # ":+" / "+": the alternative when set.
        present = is_nonempty if op == ":+" else is_set
        return arg if present else ""

    parts = value.split("$$")
    return "$".join(REFERENCE.sub(replace, part) for part in parts)


def strings_in(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, item in node.items() for s in strings_in(key) + strings_in(item)]
    if isinstance(node, list):
        return [s for item in node for s in strings_in(item)]
    return []


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment, whether written as a mapping or as a list of NAME=value."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def command_text(service: dict[str, Any]) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else str(command)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def test_the_five_services_exist(services: dict[str, dict[str, Any]]) -> None:
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)


def test_web_runs_gunicorn_on_the_wsgi_application(services: dict[str, dict[str, Any]]) -> None:
    command = command_text(services["web"])
    assert "gunicorn" in command
    assert "config.wsgi:application" in command


def test_worker_runs_a_celery_worker(services: dict[str, dict[str, Any]]) -> None:
    assert re.search(r"\bcelery\b.*-A config\b.*\bworker\b", command_text(services["worker"]))


def test_beat_runs_celery_beat_once(services: dict[str, dict[str, Any]]) -> None:
    beat = services["beat"]
    assert re.search(r"\bcelery\b.*-A config\b.*\bbeat\b", command_text(beat))
    # Two beats would send every periodic task twice.
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert beat.get("scale", 1) == 1


def test_app_services_use_production_settings(services: dict[str, dict[str, Any]]) -> None:
    for name in APP_SERVICES:
        assert environment(services[name]).get("DJANGO_SETTINGS_MODULE") == "config.settings.production", name


def test_app_services_get_every_required_production_variable(services: dict[str, dict[str, Any]]) -> None:
    for name in APP_SERVICES:
        env = environment(services[name])
        for variable in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
            assert env.get(variable), f"{name} lacks {variable}"


def test_db_is_postgres_15_and_redis_is_redis_7(services: dict[str, dict[str, Any]]) -> None:
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def test_every_long_running_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if name in ONE_OFF_SERVICES:
            continue
        test = service.get("healthcheck", {}).get("test")
        assert test and test != ["NONE"], f"{name} has no healthcheck"


def test_app_services_wait_for_healthy_db_and_redis(services: dict[str, dict[str, Any]]) -> None:
    for name in APP_SERVICES:
        depends = services[name].get("depends_on", {})
        for dependency in ("db", "redis"):
            assert depends.get(dependency, {}).get("condition") == "service_healthy", (name, dependency)


def test_secret_valued_variables_are_required_references(services: dict[str, dict[str, Any]]) -> None:
    """SECRET_KEY, *_PASSWORD, tokens: the whole value is ${NAME:?...}, never a literal or default."""
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key):
                assert REQUIRED_REFERENCE.match(value), f"{name}: {key} must be ${{{key}:?...}}, not {value!r}"


def url_password(value: str) -> str | None:
    """The password part of a URL that may contain ${...} references (which may hold ':')."""
    references: list[str] = []

    def mask(match: re.Match[str]) -> str:
        references.append(match[0])
        return f"\x00{len(references) - 1}\x00"

    masked = REFERENCE.sub(mask, value)
    if "://" not in masked:  # the whole URL is one reference: nothing literal in it
        return None
    netloc = masked.split("://", 1)[1].split("/", 1)[0]
    if "@" not in netloc or ":" not in netloc.rsplit("@", 1)[0]:
        return None
    password = netloc.rsplit("@", 1)[0].split(":", 1)[1]
    return re.sub(r"\x00(\d+)\x00", lambda m: references[int(m[1])], password)


def test_urls_carry_no_literal_password(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for key, value in environment(service).items():
            if key.endswith("_URL") and "://" in value:
                password = url_password(value)
                assert password is None or REQUIRED_REFERENCE.match(password), (
                    f"{name}: {key} has a literal password or one with a default"
                )


def test_the_url_password_check_catches_literals() -> None:
    assert url_password("postgres://ecm:hunter2@db/ecm") == "hunter2"
    assert url_password("postgres://${U:-ecm}:${P:?x}@db/ecm") == "${P:?x}"
    assert url_password("redis://redis:6379/0") is None
    assert url_password("${URL:?e.g. https://x.example}") is None
    assert not REQUIRED_REFERENCE.match("${P:-hunter2}")


def test_no_secret_variable_has_a_default_anywhere(compose: dict[str, Any]) -> None:
    for text in strings_in(compose):
        for match in REFERENCE.finditer(text):
            if SECRET_NAME.search(match["name"]):
                assert match["op"] in (":?", "?"), f"${{{match['name']}}} must be required: {text!r}"


def test_no_literal_password_in_commands_or_healthchecks(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        texts = [command_text(service), " ".join(strings_in(service.get("healthcheck", {})))]
        for text in texts:
            for match in re.finditer(r"--requirepass\s+(\S+)|-a\s+(\S+)|PASSWORD=(\S+)", text):
                given = next(group for group in match.groups() if group)
                assert "$" in given, f"{name}: literal password in {text!r}"


def test_the_stack_refuses_to_start_without_each_secret(compose: dict[str, Any]) -> None:
    for text in strings_in(compose):
        interpolate(text, SAMPLE_ENV)  # every reference is well formed and resolves
    for secret in REQUIRED_SECRETS + ("ALLOWED_HOSTS", "ECM_BASE_URL"):
        env = {key: value for key, value in SAMPLE_ENV.items() if key != secret}
        with pytest.raises(MissingVariable):
            for text in strings_in(compose):
                interpolate(text, env)


def test_interpolated_urls_point_at_the_compose_services(services: dict[str, dict[str, Any]]) -> None:
    env = environment(services["web"])
    database = urlsplit(interpolate(env["DATABASE_URL"], SAMPLE_ENV))
    assert (database.scheme, database.hostname, database.password) == ("postgres", "db", "pg-sample")
    redis = urlsplit(interpolate(env["REDIS_URL"], SAMPLE_ENV))
    assert (redis.scheme, redis.hostname, redis.password) == ("redis", "redis", "redis-sample")


def test_dockerfile_builds_the_production_image() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert "requirements.lock" in dockerfile
    assert "libpango" in dockerfile
    assert "fonts-liberation" in dockerfile
    assert "npm ci" in dockerfile
    assert "vendor_frontend.py" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE), "the app must not run as root"


def test_env_example_lists_every_variable_compose_and_settings_read(compose: dict[str, Any]) -> None:
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    in_compose = {match["name"] for text in strings_in(compose) for match in REFERENCE.finditer(text)}
    in_settings: set[str] = set()
    for settings_file in (ROOT / "config" / "settings").glob("*.py"):
        in_settings |= set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", settings_file.read_text()))
    assert in_settings, "no env(...) reads found in config/settings: has the pattern changed?"
    missing = (in_compose | in_settings | {"DJANGO_SETTINGS_MODULE"}) - listed
    assert not missing, f".env.example does not list: {sorted(missing)}"


def seconds(duration: str) -> float:
    """A Compose duration (`5m30s`, `90s`, `1h`) in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", duration)
    assert parts and "".join(number + unit for number, unit in parts) == duration, f"not a duration: {duration!r}"
    return sum(float(number) * units[unit] for number, unit in parts)


def test_the_duration_parser_reads_compose_durations() -> None:
    assert seconds("5m30s") == 330
    assert seconds("35s") == 35
    assert seconds("1h") == 3600
    with pytest.raises(AssertionError):
        seconds("5 minutes")


def test_long_running_services_restart_unless_stopped(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if name not in ONE_OFF_SERVICES:
            assert service.get("restart") == "unless-stopped", name


def test_one_off_services_are_never_restarted(services: dict[str, dict[str, Any]]) -> None:
    # `unless-stopped` on a command that exits would run migrations (or a backup) in a loop.
    for name in ONE_OFF_SERVICES:
        assert services[name].get("restart") == "no", name


def test_migrations_run_once_in_their_own_service_before_the_app(services: dict[str, dict[str, Any]]) -> None:
    assert re.search(r"\bmanage\.py migrate\b.*--noinput", command_text(services["migrate"]))
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert environment(services["migrate"])["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    for name in APP_SERVICES:
        assert "migrate" not in command_text(services[name]), f"{name} must not migrate: it is scaled"
        condition = services[name].get("depends_on", {}).get("migrate", {}).get("condition")
        assert condition == "service_completed_successfully", name


def test_web_can_be_scaled_on_a_range_of_host_ports(services: dict[str, dict[str, Any]]) -> None:
    (port,) = services["web"]["ports"]
    published = interpolate(port, SAMPLE_ENV)
    match = re.fullmatch(r"127\.0\.0\.1:(\d+)-(\d+):8000", published)
    assert match, f"web must publish a range of loopback ports, not {published!r}"
    assert int(match[2]) - int(match[1]) >= 2, "room for at least three web containers"
    assert "container_name" not in services["web"], "a fixed container name stops --scale"


def test_worker_waits_for_a_render_to_finish_when_stopped(services: dict[str, dict[str, Any]]) -> None:
    time_limit = int(interpolate(environment(services["worker"])["CELERY_TASK_TIME_LIMIT"], {}))
    assert time_limit == 300
    grace = seconds(services["worker"]["stop_grace_period"])
    assert time_limit < grace <= time_limit + 120, f"stop_grace_period {grace} s vs task time limit {time_limit} s"
    assert services["worker"].get("stop_signal", "SIGTERM") == "SIGTERM", "SIGTERM is Celery's warm shutdown"
    assert seconds(services["web"]["stop_grace_period"]) > 30, "gunicorn's graceful timeout is 30 s"


def test_cache_and_queue_use_separate_redis_databases(services: dict[str, dict[str, Any]]) -> None:
    for name in (*APP_SERVICES, "backup"):
        env = {key: interpolate(value, SAMPLE_ENV) for key, value in environment(services[name]).items()}
        cache, broker, results = (
            urlsplit(env[key]) for key in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
        )
        assert cache.hostname == broker.hostname == results.hostname == "redis", name
        assert broker.password == results.password == "redis-sample", name
        assert cache.path == "/0" and broker.path == "/1" and results.path == "/1", name


def test_settings_read_the_broker_url_separately_from_the_cache() -> None:
    base = (ROOT / "config" / "settings" / "base.py").read_text()
    assert re.search(r'^CELERY_BROKER_URL = env\.str\("CELERY_BROKER_URL", default=REDIS_URL\)', base, re.MULTILINE)
    assert re.search(r'^CELERY_RESULT_BACKEND = env\.str\("CELERY_RESULT_BACKEND"', base, re.MULTILINE)


def test_redis_keeps_an_append_only_file_in_a_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    redis = services["redis"]
    assert "--appendonly yes" in command_text(redis)
    volume = next(v.split(":")[0] for v in redis["volumes"] if v.split(":")[1] == "/data")
    assert volume in compose["volumes"], "a named volume, not the container's own layer"


def test_backup_service_writes_archives_into_a_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    backup = services["backup"]
    assert backup.get("profiles") == ["backup"], "kept out of `docker compose up`"
    command = interpolate(command_text(backup), {})
    assert re.search(r"\bmanage\.py backup --output-dir /data/backups --keep-days \d+", command)
    mounts = dict(volume.split(":")[1::-1] for volume in backup["volumes"])
    assert mounts["/data/backups"] == "backups" and "backups" in compose["volumes"]
    assert mounts["/data/media"] == "media", "the stored documents go into the archive"
    assert set(backup["depends_on"]) == {"db"}, "a restore run through it must not run migrate first"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "postgresql-client" in dockerfile, "pg_dump and pg_restore in the image"
    assert re.search(r"chown ecm:ecm .*?/data/backups", dockerfile), "the app user writes the backups volume"


def test_only_one_beat_ever_runs(services: dict[str, dict[str, Any]]) -> None:
    beats = [name for name, service in services.items() if re.search(r"\bcelery\b.*\bbeat\b", command_text(service))]
    assert beats == ["beat"]
    beat = services["beat"]
    assert "replicas" not in beat.get("deploy", {}) and "scale" not in beat
    assert "ports" not in beat
