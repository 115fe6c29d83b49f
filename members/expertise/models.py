"""Opt-in expertise profiles of RAN members: what I can help with, when, where, and who may see it.

A member who wants to be found for projects (side jobs, secondments, facilitator
dispatches) writes one. Without a profile a member never appears in a people list
or a suggestion. Themes, skills and the prefectures the member can travel to are
rows of their own, indexed, so that a suggestion can pre-filter 20,000 profiles in SQL.
"""

import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, one_of, utcnow
from members.models import Member

#: who may see a profile: staff of alliance organisations (and admins), or everyone
VISIBILITIES = {
    "alliance": _l("Alliance staff only"),
    "public": _l("Public"),
}
DEFAULT_VISIBILITY = "alliance"

MAX_SKILLS = 15
SKILL_MAX_LENGTH = 40
#: separators between skill tags: comma, Japanese comma, semicolon, line break
_SKILL_SEPARATORS = re.compile(r"[,、，;；\n\r]+")


def prefecture_bit(code: str) -> int:
    """The bit of a prefecture in `ExpertiseProfile.travel_mask` (code 01 → bit 0 … 47 → bit 46)."""
    return 1 << (int(code) - 1)


def prefecture_mask(codes) -> int:
    mask = 0
    for code in codes:
        mask |= prefecture_bit(code)
    return mask


def visibility_name(slug: str | None) -> str:
    label = VISIBILITIES.get(slug or "")
    return str(label) if label else ""


def skill_key(label: str) -> str:
    """The form of a skill tag used for matching: width-folded, case-folded, single spaces."""
    folded = unicodedata.normalize("NFKC", label or "").casefold()
    return " ".join(folded.split())


def parse_skills(text: str | None) -> list[str]:
    """Skill tags typed as one line ("採用広報, 人事制度設計、Excel"), cleaned, duplicates dropped."""
    labels: dict[str, str] = {}
    for part in _SKILL_SEPARATORS.split(text or ""):
        label = " ".join(unicodedata.normalize("NFKC", part).split())
        if label and skill_key(label) not in labels:
            labels[skill_key(label)] = label
    return list(labels.values())


class ExpertiseProfile(Base):
    """A member's opt-in profile: themes, skills, career summary, availability, visibility."""

    __tablename__ = "expertise_profiles"
    __table_args__ = (
        one_of("visibility", VISIBILITIES),
    )

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    #: a short career summary (Markdown)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    #: hours a month the member can give
    hours_per_month: Mapped[int]
    #: works remotely (online)
    remote: Mapped[bool] = mapped_column(default=True)
    #: works on site, in the prefectures of `area_rows` (and at home)
    on_site: Mapped[bool] = mapped_column(default=False)
    #: the prefectures of `area_rows` as bits (see `prefecture_bit`): a copy kept by
    #: `set_travel_prefectures` so that a suggestion tests distance without a subquery
    travel_mask: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: alliance | public
    visibility: Mapped[str] = mapped_column(sa.String(20), default=DEFAULT_VISIBILITY, index=True)
    #: open to new projects now; a paused profile stays visible but is never suggested
    accepting: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    member: Mapped[Member] = relationship()
    theme_rows: Mapped[list["ExpertiseTheme"]] = relationship(
        cascade="all, delete-orphan", order_by="ExpertiseTheme.theme"
    )
    skill_rows: Mapped[list["ExpertiseSkill"]] = relationship(
        cascade="all, delete-orphan", order_by="ExpertiseSkill.position"
    )
    area_rows: Mapped[list["ExpertiseArea"]] = relationship(
        cascade="all, delete-orphan", order_by="ExpertiseArea.prefecture"
    )
    #: theme slugs the member can help with
    themes: AssociationProxy[list[str]] = association_proxy(
        "theme_rows", "theme", creator=lambda slug: ExpertiseTheme(theme=slug)
    )
    #: prefecture codes the member can travel to for on-site work
    travel_prefectures: AssociationProxy[list[str]] = association_proxy(
        "area_rows", "prefecture", creator=lambda code: ExpertiseArea(prefecture=code)
    )

    @property
    def skills(self) -> list[str]:
        return [row.label for row in self.skill_rows]

    def set_travel_prefectures(self, codes) -> None:
        """Replace the prefectures the member travels to (rows and mask together)."""
        wanted = sorted(set(codes))
        self.area_rows = [row for row in self.area_rows if row.prefecture in wanted]
        have = {row.prefecture for row in self.area_rows}
        self.area_rows.extend(ExpertiseArea(prefecture=code) for code in wanted if code not in have)
        self.travel_mask = prefecture_mask(wanted)

    @property
    def is_public(self) -> bool:
        return self.visibility == "public"

    def __repr__(self) -> str:
        return f"<ExpertiseProfile {self.member_id}>"


class ExpertiseTheme(Base):
    """A theme a member can help with."""

    __tablename__ = "expertise_themes"
    __table_args__ = (sa.Index("ix_expertise_themes_theme_member", "theme", "member_id"),)

    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("expertise_profiles.member_id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(sa.String(40), primary_key=True)


class ExpertiseSkill(Base):
    """A free skill tag, kept as typed (`label`) and in matching form (`key`)."""

    __tablename__ = "expertise_skills"
    __table_args__ = (sa.Index("ix_expertise_skills_key_member", "key", "member_id"),)

    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("expertise_profiles.member_id", ondelete="CASCADE"), primary_key=True
    )
    #: case-folding may lengthen a label (ß → ss), hence the wider column
    key: Mapped[str] = mapped_column(sa.String(2 * SKILL_MAX_LENGTH), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(SKILL_MAX_LENGTH))
    #: order in which the member listed them
    position: Mapped[int] = mapped_column(default=0)


class ExpertiseArea(Base):
    """A prefecture a member can travel to for on-site work."""

    __tablename__ = "expertise_areas"
    __table_args__ = (sa.Index("ix_expertise_areas_prefecture_member", "prefecture", "member_id"),)

    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("expertise_profiles.member_id", ondelete="CASCADE"), primary_key=True
    )
    prefecture: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
