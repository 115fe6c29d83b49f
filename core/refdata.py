"""Reference data: the 47 prefectures (JIS X 0401), their 8 regions, and the themes."""

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms.fields import SelectChoice

from core.forms import choice_list
from core.i18n import current_language


@dataclass(frozen=True)
class Region:
    slug: str
    name_ja: str
    name_en: str

    @property
    def name(self) -> str:
        return localised(self.name_ja, self.name_en)


@dataclass(frozen=True)
class Prefecture:
    code: str
    name_ja: str
    name_en: str
    region: str
    #: position on the tile map of Japan (column, row), west to east, north to south
    tile: tuple[int, int]

    @property
    def name(self) -> str:
        return localised(self.name_ja, self.name_en)


@dataclass(frozen=True)
class Theme:
    slug: str
    name_ja: str
    name_en: str

    @property
    def name(self) -> str:
        return localised(self.name_ja, self.name_en)


def localised(ja: str, en: str) -> str:
    """Pick the Japanese or English proper name for the current locale."""
    return en if current_language() == "en" else ja


REGIONS = (
    Region("hokkaido", "北海道地方", "Hokkaido"),
    Region("tohoku", "東北地方", "Tohoku"),
    Region("kanto", "関東地方", "Kanto"),
    Region("chubu", "中部地方", "Chubu"),
    Region("kinki", "近畿地方", "Kinki"),
    Region("chugoku", "中国地方", "Chugoku"),
    Region("shikoku", "四国地方", "Shikoku"),
    Region("kyushu", "九州・沖縄地方", "Kyushu & Okinawa"),
)

# fmt: off
PREFECTURES = (
    Prefecture("01", "北海道", "Hokkaido", "hokkaido", (12, 0)),
    Prefecture("02", "青森県", "Aomori", "tohoku", (12, 2)),
    Prefecture("03", "岩手県", "Iwate", "tohoku", (12, 3)),
    Prefecture("04", "宮城県", "Miyagi", "tohoku", (12, 4)),
    Prefecture("05", "秋田県", "Akita", "tohoku", (11, 3)),
    Prefecture("06", "山形県", "Yamagata", "tohoku", (11, 4)),
    Prefecture("07", "福島県", "Fukushima", "tohoku", (11, 5)),
    Prefecture("08", "茨城県", "Ibaraki", "kanto", (12, 6)),
    Prefecture("09", "栃木県", "Tochigi", "kanto", (11, 6)),
    Prefecture("10", "群馬県", "Gunma", "kanto", (10, 6)),
    Prefecture("11", "埼玉県", "Saitama", "kanto", (11, 7)),
    Prefecture("12", "千葉県", "Chiba", "kanto", (12, 7)),
    Prefecture("13", "東京都", "Tokyo", "kanto", (11, 8)),
    Prefecture("14", "神奈川県", "Kanagawa", "kanto", (11, 9)),
    Prefecture("15", "新潟県", "Niigata", "chubu", (10, 5)),
    Prefecture("16", "富山県", "Toyama", "chubu", (9, 5)),
    Prefecture("17", "石川県", "Ishikawa", "chubu", (8, 5)),
    Prefecture("18", "福井県", "Fukui", "chubu", (8, 6)),
    Prefecture("19", "山梨県", "Yamanashi", "chubu", (10, 7)),
    Prefecture("20", "長野県", "Nagano", "chubu", (9, 6)),
    Prefecture("21", "岐阜県", "Gifu", "chubu", (9, 7)),
    Prefecture("22", "静岡県", "Shizuoka", "chubu", (10, 8)),
    Prefecture("23", "愛知県", "Aichi", "chubu", (9, 8)),
    Prefecture("24", "三重県", "Mie", "kinki", (8, 9)),
    Prefecture("25", "滋賀県", "Shiga", "kinki", (8, 7)),
    Prefecture("26", "京都府", "Kyoto", "kinki", (7, 7)),
    Prefecture("27", "大阪府", "Osaka", "kinki", (7, 8)),
    Prefecture("28", "兵庫県", "Hyogo", "kinki", (6, 7)),
    Prefecture("29", "奈良県", "Nara", "kinki", (8, 8)),
    Prefecture("30", "和歌山県", "Wakayama", "kinki", (7, 9)),
    Prefecture("31", "鳥取県", "Tottori", "chugoku", (5, 6)),
    Prefecture("32", "島根県", "Shimane", "chugoku", (4, 6)),
    Prefecture("33", "岡山県", "Okayama", "chugoku", (5, 7)),
    Prefecture("34", "広島県", "Hiroshima", "chugoku", (4, 7)),
    Prefecture("35", "山口県", "Yamaguchi", "chugoku", (3, 7)),
    Prefecture("36", "徳島県", "Tokushima", "shikoku", (5, 9)),
    Prefecture("37", "香川県", "Kagawa", "shikoku", (5, 8)),
    Prefecture("38", "愛媛県", "Ehime", "shikoku", (4, 8)),
    Prefecture("39", "高知県", "Kochi", "shikoku", (4, 9)),
    Prefecture("40", "福岡県", "Fukuoka", "kyushu", (2, 7)),
    Prefecture("41", "佐賀県", "Saga", "kyushu", (1, 7)),
    Prefecture("42", "長崎県", "Nagasaki", "kyushu", (0, 7)),
    Prefecture("43", "熊本県", "Kumamoto", "kyushu", (1, 8)),
    Prefecture("44", "大分県", "Oita", "kyushu", (2, 8)),
    Prefecture("45", "宮崎県", "Miyazaki", "kyushu", (2, 9)),
    Prefecture("46", "鹿児島県", "Kagoshima", "kyushu", (1, 9)),
    Prefecture("47", "沖縄県", "Okinawa", "kyushu", (0, 10)),
)

THEMES = (
    Theme("youth-retention", "若手定着・地域同期", "Retaining young employees"),
    Theme("career-education", "キャリア教育", "Career education"),
    Theme("side-job-talent", "複業・副業人材", "Side-job professionals"),
    Theme("foreign-workers", "外国人材", "Foreign workers"),
    Theme("seniors", "シニア人材", "Senior talent"),
    Theme("women", "女性活躍", "Women in the workforce"),
    Theme("migration", "移住・関係人口", "Migration and ties to the region"),
    Theme("hr-management", "人事・経営者支援", "HR and management support"),
    Theme("public-sector", "自治体職員育成", "Municipal staff development"),
    Theme("dialogue", "対話の場づくり", "Spaces for dialogue"),
    Theme("industry-academia", "産学・教育連携", "Industry–academia partnership"),
    Theme("cross-sector", "越境学習・留職", "Cross-sector learning and secondment"),
)
# fmt: on

REGIONS_BY_SLUG = {region.slug: region for region in REGIONS}
PREFECTURES_BY_CODE = {prefecture.code: prefecture for prefecture in PREFECTURES}
THEMES_BY_SLUG = {theme.slug: theme for theme in THEMES}


def prefectures_in_region(region_slug: str) -> list[str]:
    """Codes of the prefectures of one region."""
    return [p.code for p in PREFECTURES if p.region == region_slug]


def _lazy_name(entry) -> LazyString:
    """The entry's proper name, picked for the locale of the request that shows it."""
    return LazyString(localised, entry.name_ja, entry.name_en)


def prefecture_choices(blank: bool = True) -> list[SelectChoice]:
    """The prefectures for a select field, optionally after an empty first choice."""
    return choice_list(((p.code, _lazy_name(p)) for p in PREFECTURES),
                       blank=_l("Select a prefecture") if blank else None)


def theme_choices() -> list[SelectChoice]:
    """The themes for a select or checkbox list."""
    return choice_list((t.slug, _lazy_name(t)) for t in THEMES)


def region_choices(blank: bool = True) -> list[SelectChoice]:
    return choice_list(((r.slug, _lazy_name(r)) for r in REGIONS), blank=_l("All regions") if blank else None)


def prefecture_name(code: str | None) -> str:
    prefecture = PREFECTURES_BY_CODE.get(code or "")
    return prefecture.name if prefecture else ""


def theme_name(slug: str | None) -> str:
    theme = THEMES_BY_SLUG.get(slug or "")
    return theme.name if theme else ""


def region_of(code: str | None) -> Region | None:
    prefecture = PREFECTURES_BY_CODE.get(code or "")
    return REGIONS_BY_SLUG[prefecture.region] if prefecture else None
