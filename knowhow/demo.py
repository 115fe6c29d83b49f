"""Demo knowhow (`seed-demo`) and the synthetic articles of `seed-demo --scale N`."""

import random
import time
from datetime import date, timedelta

import click
import sqlalchemy as sa

from alliance.models import Organization
from core import refdata, search
from core.db import db, utcnow
from core.demo_pictures import demo_picture, draw_cover
from knowhow import services
from knowhow.demo_articles import DEMO_ARTICLES
from knowhow.models import PLAYBOOK_FIELDS, Article, ArticleTheme
from members.models import Member

#: slugs of generated articles: bench-000001 …
SCALE_PREFIX = "bench-"
BATCH = 2000
#: `seed-demo --scale N` generates N × this many articles
ARTICLES_PER_SCALE = 100


def seed(scale: int) -> None:
    """The demo articles (each once), then generated ones for benchmarks."""
    seed_articles()
    if scale > 0:
        add_generated_articles(scale * ARTICLES_PER_SCALE)


def seed_articles() -> None:
    organizations = {o.slug: o for o in db.session.scalars(sa.select(Organization))}
    authors = {m.email: m for m in db.session.scalars(sa.select(Member))}
    existing = set(db.session.scalars(
        sa.select(Article.slug).where(Article.slug.in_([a["slug"] for a in DEMO_ARTICLES]))
    ))
    created = 0
    now = utcnow()
    for index, spec in enumerate(DEMO_ARTICLES):
        if spec["slug"] in existing:
            continue
        organization = organizations.get(spec["organization"] or "")
        values = {key: spec.get(key, "") for key in (
            "title", "kind", "visibility", "status", "themes", "summary", "body", *PLAYBOOK_FIELDS)}
        values["prefecture"] = spec["prefecture"]
        values["organization_id"] = organization.id if organization else None
        article = services.create_article(authors.get(spec["author"]), services.ArticleData.from_mapping(values),
                                          slug=spec["slug"])
        # Written over the past year, one every four weeks or so (a site that has been lived in), not all today.
        written = now - timedelta(days=340 - 26 * index, hours=(index * 5) % 9)
        article.created_at = article.updated_at = written
        if index % 3 == 0:  # some articles with a header image, most without
            article.header = demo_picture(draw_cover(100 + index), alt=f"「{spec['title']}」のイメージ")
        if article.published_at is not None:
            article.published_at = written
        for org_slug, prefecture, started, status, notes in spec.get("adoptions", ()):
            adopter = organizations.get(org_slug)
            if adopter is None:
                continue  # the alliance demo is not loaded: nobody to adopt it
            services.record_adoption(
                article,
                services.AdoptionData(adopter.id, prefecture, date.fromisoformat(started), status, notes),
                None,
            )
        created += 1
    if created:
        click.echo(f"Knowhow: {created} demo articles.")


# --- synthetic articles ---------------------------------------------------------------------------

TOPICS = (
    "人材育成", "外国人材の受け入れ", "若手社員の定着", "シニア人材の活用", "女性の活躍", "複業人材のマッチング",
    "キャリア教育", "自治体DXの推進", "地域同期研修", "関係人口づくり", "事業承継", "採用広報", "越境学習",
    "対話の場づくり", "産学連携", "移住者の就業支援", "管理職研修", "職員の能力開発",
)
ACTORS = (
    "地元の中小企業", "市役所の若手職員", "商工会議所", "地元の高校", "移住した専門人材", "人事担当者", "経営者",
    "地域人事部", "NPO法人", "地元の大学", "金融機関", "町役場", "製造業の現場", "介護事業所", "観光協会",
)
ACTIONS = (
    "について話し合う場を毎月設けました", "の進め方を一から見直しました", "に向けた研修を企画しました",
    "の成果を報告会で共有しました", "に関する相談会を開きました", "のための仕組みを試験的に導入しました",
    "の課題を聞き取り調査で整理しました", "を地域ぐるみで支える体制をつくりました",
)
REFLECTIONS = (
    "一社だけでは解決できない課題も、地域全体で取り組むことで道が開けました。",
    "参加者からは、他の会社の同世代と話せたことが励みになったという声がありました。",
    "行政と民間の役割分担をはっきりさせたことで、事業が途切れずに続いています。",
    "担当者が替わっても続けられるよう、手順を文書にまとめました。",
    "最初の半年は参加者集めに苦労しましたが、口コミで少しずつ広がりました。",
    "小さく試して振り返ることを繰り返し、次の年度の計画に反映しています。",
    "地域の人材が地域の中で育ち、活躍できる循環をつくることが目標です。",
    "オンラインと対面を組み合わせることで、遠方の参加者も加わりやすくなりました。",
)
GENRES = ("の取り組み", "の実践報告", "から学んだこと", "の3年間", "を始めるには", "のふりかえり")


def _generated(rng: random.Random, number: int, now) -> tuple[dict, list[str]]:
    prefecture = rng.choice(refdata.PREFECTURES)
    place = prefecture.name_ja
    topic = rng.choice(TOPICS)
    sentences = []
    for _ in range(rng.randint(8, 12)):
        kind = rng.random()
        if kind < 0.55:
            sentences.append(f"{rng.choice(ACTORS)}が{rng.choice(TOPICS)}{rng.choice(ACTIONS)}。")
        elif kind < 0.9:
            sentences.append(rng.choice(REFLECTIONS))
        else:
            sentences.append(f"{place}では{topic}が大きなテーマになっています。")
    if rng.random() < 0.9:
        sentences.insert(rng.randint(0, len(sentences)), "地域全体で人材を育てる視点が欠かせません。")
    paragraphs = ["".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
    visibility = rng.choices(("public", "members", "alliance"), weights=(85, 10, 5))[0]
    published = rng.random() < 0.97
    created = now - timedelta(minutes=(10_000_000 - number))
    themes = rng.sample([t.slug for t in refdata.THEMES], rng.randint(1, 3))
    row = {
        "slug": f"{SCALE_PREFIX}{number:06d}",
        "kind": rng.choice(("case-study", "playbook", "report", "column")),
        "title": f"{place}における{topic}{rng.choice(GENRES)}",
        "summary": sentences[0],
        "body": "\n\n".join(paragraphs),
        "visibility": visibility,
        "status": "published" if published else "draft",
        "prefecture": prefecture.code,
        "author_id": None,
        "editor_id": None,
        "organization_id": None,
        "goal": "", "audience": "", "duration": "", "steps": "", "cost": "", "materials": "",
        "version": 1,
        "created_at": created,
        "updated_at": created,
        "published_at": created if published else None,
        "deleted_at": None,
    }
    return row, themes


def add_generated_articles(count: int) -> None:
    """Bulk-insert generated articles until `count` of them exist (batched executemany, no ORM objects)."""
    have = db.session.scalar(
        sa.select(sa.func.count(Article.id)).where(Article.slug.like(f"{SCALE_PREFIX}%"))
    ) or 0
    if have >= count:
        click.echo(f"Knowhow: {have} generated articles already exist.")
        return
    rng = random.Random(20221 + have)  # noqa: S311 (synthetic data, reproducible)  # nosec B311
    now = utcnow()
    started = time.monotonic()
    articles = Article.__table__
    article_themes = ArticleTheme.__table__
    for batch_start in range(have + 1, count + 1, BATCH):
        numbers = range(batch_start, min(count, batch_start + BATCH - 1) + 1)
        generated = [_generated(rng, number, now) for number in numbers]
        ids = db.session.execute(
            sa.insert(articles).returning(articles.c.id, sort_by_parameter_order=True),
            [row for row, _themes in generated],
        ).scalars().all()
        db.session.execute(
            sa.insert(article_themes),
            [{"article_id": article_id, "theme": theme}
             for article_id, (_row, themes) in zip(ids, generated, strict=True) for theme in themes],
        )
        search.index_many(
            [_entry(article_id, row, themes) for article_id, (row, themes) in zip(ids, generated, strict=True)],
            fresh=True,
        )
        db.session.commit()
        done = numbers[-1]
        click.echo(f"Knowhow: {done}/{count} generated articles ({time.monotonic() - started:.0f} s)")


def _entry(article_id: int, row: dict, themes: list[str]) -> search.Entry:
    """The index entry of a generated article (what services.search_entry gives for a loaded one)."""
    return search.Entry(
        kind=services.SEARCH_KIND,
        object_id=article_id,
        title=row["title"],
        body=f"{row['summary']}\n{row['body']}",
        visibility=row["visibility"],
        published=row["status"] == "published",
        facets={"theme": themes, "prefecture": row["prefecture"], "type": row["kind"]},
        meta={"slug": row["slug"], "type": row["kind"], "prefecture": row["prefecture"], "themes": sorted(themes)},
    )
