"""Fixtures for people and projects: organisations with staff, profiles, projects, applications."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from alliance.projects import services
from alliance.projects.models import Programme, Project, ProjectApplication, ProjectSkill
from core.db import db
from members.expertise.evidence import index_profile
from members.expertise.models import ExpertiseProfile, ExpertiseSkill, ExpertiseTheme, skill_key
from tests.conftest import new_member, new_organization


@pytest.fixture
def make_profile(app):
    """An opt-in expertise profile for a member."""

    def factory(member, *, themes=("side-job-talent",), skills=(), hours=10, remote=True, on_site=False,
                travel=(), visibility="alliance", accepting=True, summary="人事と採用の経験があります。"):
        with app.app_context():
            profile = ExpertiseProfile(member_id=member.id, summary=summary, hours_per_month=hours, remote=remote,
                                       on_site=on_site, visibility=visibility, accepting=accepting)
            profile.theme_rows = [ExpertiseTheme(theme=slug) for slug in themes]
            profile.skill_rows = [ExpertiseSkill(key=skill_key(label), label=label, position=i)
                                  for i, label in enumerate(skills)]
            profile.set_travel_prefectures(travel)
            db.session.add(profile)
            db.session.flush()
            index_profile(profile)  # as members.expertise.services.save_profile does
            db.session.commit()
            return member.id

    return factory


def new_project(application, organization, *, author=None, skills=(), deadline_days=30, **fields) -> int:
    """A project posted by an organisation, open for applications unless told otherwise."""
    values = {
        "kind": "side-job", "title": "塩尻の中小企業の採用広報を手伝う複業人材", "host_name": "テスト精工株式会社",
        "host_type": "company", "theme": "side-job-talent", "prefecture": "20", "location": "塩尻市",
        "programme_name": "", "description": "採用広報を一緒に考えてくださる方を募集します。",
        "hours_per_month": 10, "duration_months": 6, "remote_possible": True, "compensation": "paid",
        "compensation_note": "月3万円", "positions": 2, "status": "open",
    }
    values.update(fields)
    with application.app_context():
        project = Project(organization_id=organization.id, created_by_id=author.id if author else None,
                          deadline=services.today() + timedelta(days=deadline_days), **values)
        project.skill_rows = [ProjectSkill(key=skill_key(label), label=label, position=i)
                              for i, label in enumerate(skills)]
        db.session.add(project)
        db.session.commit()
        return project.id


@pytest.fixture
def make_project(app):
    """`make_project(organization, **fields)`: see new_project."""
    return lambda organization, **fields: new_project(app, organization, **fields)


@pytest.fixture
def make_application(app):
    def factory(project_id, member, *, status="screening", motivation="ぜひ関わりたいです。"):
        with app.app_context():
            application = ProjectApplication(project_id=project_id, member_id=member.id, motivation=motivation,
                                             status=status)
            db.session.add(application)
            db.session.commit()
            return application.id

    return factory


def build_world(application):
    """A posting organisation in 長野 with its staff, another organisation, an applicant, outsiders."""
    people = SimpleNamespace(
        host_staff=new_member(application, display_name="掲載 花子", prefecture="20"),
        other_staff=new_member(application, display_name="別団体 次郎", prefecture="04"),
        applicant=new_member(application, display_name="応募 太郎", prefecture="13"),
        outsider=new_member(application, display_name="無関係 三郎"),
        admin=new_member(application, is_admin=True, display_name="事務局 管理"),
    )
    people.organization = new_organization(application, slug="shiojiri-test", name="塩尻テスト人事部",
                                           prefecture="20", staff=[people.host_staff],
                                           themes={"side-job-talent": "expert"})
    people.other = new_organization(application, slug="ishinomaki-test", name="石巻テスト人事部", prefecture="04",
                                    staff=[people.other_staff])
    people.project_id = new_project(application, people.organization, author=people.host_staff)
    return people


@pytest.fixture
def world(app):
    """See build_world; a module that only reads it may build it once (`build_world` in a module fixture)."""
    return build_world(app)


@pytest.fixture
def fetch(app):
    """Read rows after requests: fetch(Model, *where) -> list of detached rows."""

    def read(model, *where):
        with app.app_context():
            rows = db.session.scalars(sa.select(model).where(*where)).all()
            db.session.expunge_all()
            return rows

    return read


@pytest.fixture
def programme_of(app):
    def read(application_id):
        with app.app_context():
            programme = db.session.scalar(sa.select(Programme).where(Programme.application_id == application_id))
            if programme is not None:
                db.session.expunge(programme)
            return programme

    return read
