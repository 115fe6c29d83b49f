"""The demo data of people and projects, and migration 0007 both ways on both engines."""


import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from alliance.projects.models import Cohort, Programme, ProgrammePhase, Project, ProjectApplication
from app import MIGRATIONS_DIR, create_app
from core.db import db
from members.expertise.models import ExpertiseProfile
from tests.conftest import app_config


@pytest.fixture
def demo_app(app, tmp_path):
    # Demo passwords go to instance/demo-accounts.txt: keep the test's copy out of the repository.
    app.instance_path = str(tmp_path)
    return app


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_demo_prints_the_people_accounts(demo_app, tmp_path):
    result = demo_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert count(demo_app, ExpertiseProfile) == 7
    accounts = (tmp_path / "demo-accounts.txt").read_text(encoding="utf-8")
    assert "takahashi@demo.ran-hub.jp / " in accounts and "admin@demo.ran-hub.jp / " in accounts


def test_demo_projects_with_matches_phases_and_cohorts(demo_app):
    runner = demo_app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # a second load adds nothing
    assert count(demo_app, Project) == 5
    assert count(demo_app, ExpertiseProfile) == 7
    assert count(demo_app, Programme) == 5
    assert count(demo_app, Programme, Programme.status == "completed") == 2
    assert count(demo_app, ProjectApplication, ProjectApplication.status == "interview") == 1
    with demo_app.app_context():
        secondment = db.session.scalar(sa.select(Programme).join(Project).where(Project.kind == "secondment"))
        assert [p.key for p in secondment.phases] == ["planning", "pre-training", "on-site", "post-training"]
        assert secondment.current_phase.key == "on-site" and len(secondment.notes) == 2
        chro = db.session.scalar(sa.select(Project).where(Project.host_type == "municipality",
                                                          Project.prefecture == "20"))
        assert "CHRO" in chro.title and chro.status == "open"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 4
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammePhase)) == 12
    client = demo_app.test_client()
    assert "塩尻市のCHRO" in client.get("/alliance/projects/").get_data(as_text=True)


def test_migration_upgrades_and_downgrades(empty_database_url):
    migrating = create_app(app_config(empty_database_url))
    with migrating.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        assert "project_programmes" in sa.inspect(db.engine).get_table_names()
        downgrade(directory=MIGRATIONS_DIR, revision="0001")
        tables = sa.inspect(db.engine).get_table_names()
        assert "projects" not in tables and "expertise_profiles" not in tables and "members" in tables
        upgrade(directory=MIGRATIONS_DIR)
        assert "expertise_skills" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
