"""deploy/: the systemd units, the cron file and ranhub-job name commands the app has, and the job runner works."""

import re
import subprocess

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
#: the scheduled jobs README.md's production section lists
JOBS = {"outbox send", "events send-reminders", "events send-surveys", "events purge-answers", "digest send",
        "consultations anonymise", "pictures purge", "backup"}
COMMAND = re.compile(r"(?:flask --app app|\$JOB) ([a-z][a-z-]*(?: [a-z][a-z-]*)?)")

pytestmark = pytest.mark.one_engine


def _commands(text: str) -> set[str]:
    return {match.group(1) for match in COMMAND.finditer(text)}


def test_every_job_has_a_service_and_a_timer_and_a_cron_line():
    services = {path.stem.removeprefix("ranhub-") for path in (DEPLOY / "systemd").glob("ranhub-*.service")}
    timers = {path.stem.removeprefix("ranhub-") for path in (DEPLOY / "systemd").glob("ranhub-*.timer")}
    assert services == timers and len(services) == len(JOBS)
    scheduled = set().union(*(_commands(path.read_text()) for path in (DEPLOY / "systemd").glob("ranhub-*.service")))
    assert scheduled == JOBS
    assert _commands((DEPLOY / "cron" / "ranhub").read_text()) == JOBS


def test_units_keep_what_they_write_private():
    for unit in (DEPLOY / "systemd").glob("*.service"):
        text = unit.read_text()
        assert "UMask=0077" in text and "User=ranhub" in text, unit.name
        assert "EnvironmentFile=/etc/ranhub/ranhub.env" in text, unit.name


@pytest.mark.parametrize("job", sorted(JOBS))
def test_every_scheduled_command_exists(app, job):
    result = app.test_cli_runner().invoke(args=[*job.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_ranhub_job_runs_a_command_with_the_service_environment(tmp_path):
    database = tmp_path / "instance" / "ranhub.sqlite3"
    environment_file = tmp_path / "ranhub.env"
    environment_file.write_text(f"DATABASE_URL=sqlite:///{database}\nINSTANCE_PATH={tmp_path / 'instance'}\n"
                                'MAIL_FROM="RAN hub <no-reply@ran-hub.jp>"\nSECRET_KEY=job-test\n')
    environment = {"RANHUB_HOME": str(ROOT), "RANHUB_ENV": str(environment_file), "PATH": "/usr/bin:/bin"}
    for command in (["db", "upgrade"], ["outbox", "send"]):
        done = subprocess.run([str(DEPLOY / "ranhub-job"), *command], env=environment, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    assert "SMTP_URL is not set" in done.stdout
    assert database.stat().st_mode & 0o777 == 0o600  # created where the environment file says, private
