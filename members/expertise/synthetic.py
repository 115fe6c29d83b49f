"""Synthetic members with expertise profiles, for benchmarks (`seed-demo --scale N`, bench/people_bench.py).

Rows go in with bulk inserts (no ORM objects), so 20,000 profiles take seconds. The
accounts cannot log in: their password hash is not a hash.
"""

import random

import sqlalchemy as sa

from core import refdata
from core.db import db, utcnow
from members.expertise import evidence
from members.expertise.models import (
    ExpertiseArea,
    ExpertiseProfile,
    ExpertiseSkill,
    ExpertiseTheme,
    prefecture_mask,
    skill_key,
)
from members.models import AFFILIATIONS, Member

#: skill tags people write, a few very common and many rarer ones
SKILL_VOCABULARY = (
    "採用", "採用広報", "人事制度設計", "評価制度", "労務管理", "研修企画", "ファシリテーション", "組織開発",
    "1on1", "コーチング", "キャリアカウンセリング", "マーケティング", "ブランディング", "広報", "PR", "SNS運用",
    "Webサイト制作", "EC運営", "営業", "法人営業", "新規事業", "事業計画", "財務", "経理", "資金調達", "補助金申請",
    "DX推進", "業務改善", "kintone", "データ分析", "Excel", "プロジェクト管理", "イベント企画", "地域おこし",
    "観光", "農業", "食品", "製造業", "品質管理", "生産管理", "医療事務", "介護", "福祉", "教育", "探究学習",
    "高校連携", "大学連携", "外国人雇用", "日本語教育", "通訳", "英語", "やさしい日本語", "シニア雇用",
    "女性活躍", "子育て支援", "移住相談", "空き家活用", "まちづくり", "行政経験", "議会対応", "政策立案",
    "オフサイトミーティング", "ワークショップ", "デザイン", "動画制作", "ライティング", "編集", "翻訳",
)
#: rough weights: where people live (more in the big cities)
_HOME_WEIGHTS = {"13": 12, "14": 6, "27": 6, "23": 5, "11": 4, "12": 4, "40": 4, "01": 3, "28": 3, "04": 2}
SYNTHETIC_EMAIL = "person-{:06d}@synthetic.ran-hub.jp"
SUMMARY = "{}と{}の仕事を長く続けてきました。地域の中小企業のお手伝いをしたいと考えています。"
BATCH = 2_000


def add_synthetic_profiles(count: int, *, seed: int = 7, start: int = 1) -> int:
    """Add `count` members with opt-in profiles (numbered from `start`); returns how many were added."""
    rng = random.Random(seed)  # noqa: S311 -- repeatable sample data, not security  # nosec B311
    codes = [p.code for p in refdata.PREFECTURES]
    weights = [_HOME_WEIGHTS.get(code, 1) for code in codes]
    themes = [t.slug for t in refdata.THEMES]
    affiliations = list(AFFILIATIONS)
    now = utcnow()
    added = 0
    for batch_start in range(start, start + count, BATCH):
        numbers = range(batch_start, min(start + count, batch_start + BATCH))
        members = [
            {"email": SYNTHETIC_EMAIL.format(n), "password_hash": "!synthetic", "display_name": f"サンプル会員{n:06d}",  # nosec B105 - "!synthetic" is a hash no password matches
             "prefecture": rng.choices(codes, weights)[0], "affiliation": rng.choice(affiliations),
             "organization_name": "", "bio": "", "is_admin": False, "locale": "ja",
             "created_at": now, "password_changed_at": now, "email_verified_at": now}
            for n in numbers
        ]
        db.session.execute(sa.insert(Member), members)
        ids = dict(db.session.execute(
            sa.select(Member.email, Member.id).where(Member.email.in_([m["email"] for m in members]))
        ).all())
        profiles, theme_rows, skill_rows, area_rows = [], [], [], []
        for member in members:
            member_id = ids[member["email"]]
            remote = rng.random() < 0.7
            areas = {member["prefecture"], *rng.sample(codes, rng.randint(0, 4))}
            skills = rng.sample(SKILL_VOCABULARY, rng.randint(2, 6))
            profiles.append({
                "member_id": member_id, "summary": SUMMARY.format(*skills[:2]),
                "hours_per_month": rng.choice((4, 8, 10, 16, 20, 30, 40)),
                "remote": remote, "on_site": (not remote) or rng.random() < 0.5,
                "visibility": "public" if rng.random() < 0.3 else "alliance",
                "accepting": rng.random() < 0.9, "travel_mask": prefecture_mask(areas),
                "created_at": now, "updated_at": now,
            })
            theme_rows += [{"member_id": member_id, "theme": slug} for slug in rng.sample(themes, rng.randint(1, 3))]
            for position, label in enumerate(skills):
                skill_rows.append({"member_id": member_id, "key": skill_key(label), "label": label,
                                   "position": position})
            area_rows += [{"member_id": member_id, "prefecture": code} for code in sorted(areas)]
        db.session.execute(sa.insert(ExpertiseProfile), profiles)
        db.session.execute(sa.insert(ExpertiseTheme), theme_rows)
        db.session.execute(sa.insert(ExpertiseSkill), skill_rows)
        db.session.execute(sa.insert(ExpertiseArea), area_rows)
        evidence.index_all_profiles(list(ids.values()))  # what people matching reads
        added += len(members)
    return added
