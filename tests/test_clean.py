"""Cleaning on real pages: the example text page, benchmark HTML, hostile HTML, languages."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import re
import time
from pathlib import Path

import pytest

from flashpoint.clean import clean, clean_text_page, detect_language, is_boilerplate
from flashpoint.errors import SkipArticle
from flashpoint.eval.body import evaluate_body, match
from flashpoint.ingest import InputFailure, read_inputs
from flashpoint.types import Article, Document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXAMPLE = SHARED / "examples" / "anadolu-2024-01-24-us-strikes-iraq.txt"
BENCH = SHARED / "data" / "article-extraction-benchmark"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data lives in ../shared beside the repo)")
    return path


def _read_one(path: Path) -> Document:
    (doc,) = read_inputs([str(path)])
    assert isinstance(doc, Document), doc
    return doc


def _paragraphs(article: Article) -> list[str]:
    return article.text.split("\n\n")


def _assert_clean_layout(article: Article) -> None:
    """The contract every Article text keeps: one paragraph per block, tidy whitespace."""
    for para in _paragraphs(article):
        assert para and para == para.strip()
        assert "\n" not in para and "  " not in para and "\t" not in para
    if article.title_span is not None:
        start, end = article.title_span
        assert article.text[start:end] == article.title


# --- the example text page -----------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Article:
    return clean(_read_one(_need(EXAMPLE)))


def test_example_metadata(example: Article) -> None:
    assert example.title == "US strikes facilities used by Iranian-backed groups in Iraq"
    assert example.publisher == "Anadolu Agency"
    assert example.published == dt.date(2024, 1, 24)
    assert example.language == "en"
    assert example.url is None and example.source == str(EXAMPLE)


def test_example_body_has_no_page_furniture(example: Article) -> None:
    paras = _paragraphs(example)
    assert paras[0] == example.title
    assert paras[1].startswith("The US carried out strikes on Tuesday")
    assert paras[-1].endswith("killed in the Hamas attack.")
    assert len(paras) == 12  # headline + 11 body paragraphs
    for furniture in ("Contact Us", "Subscribe", "REUTERS File Photo", "MIDDLE EAST", "Published"):
        assert furniture not in example.text
    _assert_clean_layout(example)


def test_example_spans_and_id_are_stable(example: Article) -> None:
    assert example.title_span == (0, len(example.title or ""))
    again = clean(_read_one(EXAMPLE))
    assert again.text == example.text and again.id == example.id
    assert re.fullmatch(r"[0-9a-f]{16}", example.id)
    # Offsets into the text mean what they say: a quoted sentence is found where it is.
    quote = '"We do not seek to escalate conflict in the region," he said.'
    start = example.text.index(quote)
    assert example.text[start : start + len(quote)] == quote


def test_example_date_falls_back_to_file_name(tmp_path: Path) -> None:
    text = _need(EXAMPLE).read_text(encoding="utf-8").replace("Published January 24,2024\n", "")
    named = tmp_path / "anadolu-2024-01-24-us-strikes-iraq.txt"
    named.write_text(text, encoding="utf-8")
    assert clean(_read_one(named)).published == dt.date(2024, 1, 24)
    anonymous = tmp_path / "story.txt"
    anonymous.write_text(text, encoding="utf-8")
    assert clean(_read_one(anonymous)).published is None


# --- other plain-text page shapes ----------------------------------------------------------

WIRE_PAGE = "\n".join(
    [
        "Skip to content",
        "World | Europe",
        "Russian drones hit power plant in western Ukraine",
        "By Jane Doe and John Roe | Reuters",
        "Updated 10:15 AM GMT, March 4, 2023",
        "Published on March 3, 2023",
        "Share on Facebook",
        "Listen to this article",
        "KYIV, Ukraine (AP) — Russian drones struck a thermal power plant in the western Lviv "
        "region overnight, the regional governor said on Friday, cutting power to thousands of "
        "homes.",
        "",
        "The governor said two workers were injured and taken to hospital. Air defence units shot "
        "down 11 of the 14 drones launched, the air force said.",
        "",
        "Read more: Ukraine says it downed 30 drones overnight",
        "Advertisement",
        "Firefighters were still at the scene on Friday morning, according to the emergency "
        "service.",
        "",
        "Reporting by Jane Doe; Editing by John Roe",
        "© 2023 Reuters. All rights reserved.",
        "We use cookies to improve your experience. By continuing to browse, you agree to our "
        "cookie policy.",
    ]
)


def test_wire_page_metadata_prefers_original_date_and_byline_outlet() -> None:
    article = clean(Document(source="pages/ukraine.txt", content=WIRE_PAGE))
    assert article.title == "Russian drones hit power plant in western Ukraine"
    assert article.published == dt.date(2023, 3, 3)  # published, not updated
    assert article.publisher == "Reuters"
    body = _paragraphs(article)[1:]
    assert len(body) == 3 and body[0].startswith("KYIV, Ukraine (AP) — Russian drones")
    for furniture in ("Read more", "Advertisement", "Reporting by", "cookies", "©", "Share"):
        assert furniture not in article.text
    _assert_clean_layout(article)


def test_dateline_names_the_agency_when_nothing_else_does() -> None:
    page = WIRE_PAGE.replace("By Jane Doe and John Roe | Reuters\n", "").replace(
        "© 2023 Reuters. All rights reserved.\n", ""
    )
    assert clean(Document(source="p.txt", content=page)).publisher == "Associated Press"


def test_byline_with_date_and_unknown_outlet_section_line() -> None:
    page = (
        "Contact Us\nHome\nSahel Daily News AFRICA\n"
        "Gunmen kill six police officers in northern Burkina Faso\n"
        "By Amadou Traore | 11 February 2024\n"
        "Photo: Soldiers on patrol near Djibo (AFP)\n"
        "Gunmen attacked a police post in the northern town of Djibo early on Sunday, killing "
        "six officers, security sources told reporters.\n"
    )
    article = clean(Document(source="p.txt", content=page))
    assert article.publisher == "Sahel Daily News"
    assert article.published == dt.date(2024, 2, 11)
    assert article.title == "Gunmen kill six police officers in northern Burkina Faso"
    assert _paragraphs(article)[1].startswith("Gunmen attacked a police post")
    assert len(_paragraphs(article)) == 2


@pytest.mark.parametrize(
    "header",
    [
        "Home News World Middle East\n{title} | Anadolu Agency\nPublished January 24, 2024\n",
        "By Jane Doe\nJanuary 24, 2024\n{title}\n",
        "MIDDLE EAST\n{title}\nAnadolu Agency | 24.01.2024\nShare\n",
    ],
)
def test_headline_is_found_among_header_lines(header: str) -> None:
    title = "US strikes facilities used by Iranian-backed groups in Iraq"
    body = "The US carried out strikes on Tuesday against three facilities used by armed groups."
    page = clean_text_page(header.format(title=title) + body)
    assert page.title == title and page.paragraphs == [body]
    assert page.published == dt.date(2024, 1, 24)


def test_hard_wrapped_text_is_rejoined_and_url_date_used() -> None:
    text = (
        "Gunmen attacked a police post in the northern town of Djibo early on Sunday,\n"
        "killing at least six officers and wounding several others, security sources\n"
        "told reporters, in the latest in a string of attacks blamed on jihadist\n"
        "groups operating across the Sahel region.\n\n"
        "The army said reinforcements had been sent to the area.\n"
    )
    doc = Document(source="feed", content=text, url="https://example.org/2024/02/11/djibo-attack/")
    article = clean(doc)
    assert (
        _paragraphs(article)[0].startswith("Gunmen attacked") and "Sunday, killing" in article.text
    )
    assert len(_paragraphs(article)) == 2 and article.published == dt.date(2024, 2, 11)
    assert article.title is None and article.title_span is None


def test_record_metadata_wins_and_title_is_not_duplicated(tmp_path: Path) -> None:
    title = "Gunmen kill six police officers in northern Burkina Faso"
    body = "Gunmen attacked a police post in Djibo on Sunday, killing six officers, sources said."
    path = tmp_path / "feed.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "bf-1",
                "title": title,
                "text": f"{title}\n\n{body}",
                "date": "2024-02-11",
                "publisher": "Sahel Wire",
                "url": "https://example.org/x",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    article = clean(_read_one(path))
    assert article.id == "bf-1" and article.text == f"{title}\n\n{body}"
    assert article.published == dt.date(2024, 2, 11) and article.publisher == "Sahel Wire"
    assert article.title_span == (0, len(title))


def test_id_derives_from_url_ignoring_tracking() -> None:
    text = "Gunmen attacked a police post in Djibo on Sunday, killing six officers, sources said."
    a = clean(Document(source="a", content=text, url="https://Example.org/story/?utm_source=x#top"))
    b = clean(Document(source="b", content=text + " More.", url="https://example.org/story"))
    c = clean(Document(source="c", content=text))
    assert a.id == b.id != c.id


def test_bytes_content_and_mojibake() -> None:
    body = "The minister’s office said the strike killed three people near the border on Monday."
    doc = Document(source="m.txt", content=body.encode("utf-8").decode("cp1252").encode("utf-8"))
    assert clean(doc).text == body


def test_only_furniture_is_skipped_with_e020() -> None:
    page = "Contact Us\nSubscribe\nShare on Facebook\nPrivacy Policy\n© 2024 Example News\n"
    with pytest.raises(SkipArticle) as err:
        clean(Document(source="junk.txt", content=page))
    assert err.value.code == "E020"


@pytest.mark.parametrize(
    "line",
    [
        "Contact Us",
        "Subscribe",
        "Share on Facebook",
        "Facebook Twitter WhatsApp Email",
        "Read more: Ukraine says it downed 30 drones",
        "Advertisement",
        "© 2024 Reuters",
        "U.S. Secretary of Defense Lloyd Austin (REUTERS File Photo)",
        "Smoke rises over Khan Younis. Mohammed Salem/Reuters",
        "Photo: Ali Jadallah/AA",
        "We use cookies to give you the best experience. By using this site you accept them.",
        "Reporting by Jane Doe; Editing by John Roe",
        "Tags: Iraq, Syria, Iran",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "The US carried out strikes on Tuesday against three facilities in Iraq.",
        "Austin said the strikes were a response to attacks (including one on Saturday).",
        "Read the statement in full, the ministry told reporters on Monday.",
        "Protesters shared photos of the damage on social media, police said.",
        "Copyright lawsuits against the firm were filed on Monday.",
        "Reporting by the BBC revealed that the army had moved the battalion.",
        "Courtesy of the ministry, aid trucks entered Gaza on Monday.",
    ],
)
def test_prose_is_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


# --- HTML ------------------------------------------------------------------------------------


def _bench(item: str) -> tuple[Document, str]:
    truth = json.loads((_need(BENCH) / "ground-truth.json").read_text("utf-8"))
    path = BENCH / "html" / f"{item}.html.gz"
    (doc,) = read_inputs([str(path)])
    assert isinstance(doc, Document) and doc.content_type == "html"
    return doc, truth[item]["articleBody"]


def test_benchmark_page_venturebeat() -> None:
    doc, gold = _bench("06e5123e4ef7cfb4533250dc45d1e03d0838fc66223f45c583c4d12f48b4da85")
    article = clean(doc)
    assert article.title == "New York State Attorney General investigating WeWork and former CEO"
    assert article.publisher == "VentureBeat" and article.published == dt.date(2019, 11, 18)
    assert article.url is not None and "venturebeat.com/2019/11/18/" in article.url
    body = article.text[(article.title_span or (0, 0))[1] :]
    tp, fp, fn = match(gold, body)
    assert tp / (tp + fp) > 0.9 and tp / (tp + fn) > 0.9
    _assert_clean_layout(article)


def test_benchmark_page_title_loses_site_suffix_and_section_label() -> None:
    doc, _ = _bench("04a6711caa7c687592777718866e781e976e0fe684faebe8b3cedcef8cd0ea34")
    article = clean(doc)
    assert article.title == "Republicans Are Following Trump to Nowhere"
    assert article.publisher == "The New York Times"
    assert article.published == dt.date(2019, 11, 19)


def test_benchmark_non_english_pages_are_skipped() -> None:
    for item, lang in [
        ("0ec95c7261d122f304728e90c983450ef1ce1e0b423546835c397d50aaf0d0f2", "ko"),
        ("57b4dafd18cfd0531b69f81e87158648227c673ef159f8d8c87d34e34bdb21f2", "de"),
    ]:
        doc, _ = _bench(item)
        with pytest.raises(SkipArticle) as err:
            clean(doc)
        assert err.value.code == "E021" and f"'{lang}'" in str(err.value)


def test_body_extraction_benchmark_sample() -> None:
    report = evaluate_body(_need(BENCH), limit=40)
    assert report["docs"] == 40 and report["failures"] == 0
    assert report["f1"] >= 0.93 and report["recall"] >= 0.95
    assert 0.0 <= report["share_f1_ge_0.9"] <= 1.0


ARTICLE_HTML = (
    "<html><head><title>Drone strike hits fuel depot | Example News</title>"
    '<meta property="og:site_name" content="Example News">'
    '<meta property="article:published_time" content="2024-03-05T09:00:00Z"></head><body>'
    "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
    "<h1>Drone strike hits fuel depot</h1>"
    "<p>A drone struck a fuel depot in the port city early on Tuesday, starting a large fire "
    "that burned for several hours, the regional governor said in a statement.</p>"
    "<p>Emergency services said no one was killed, but two workers were treated for burns and "
    "nearby residents were told to keep their windows closed.</p>"
    "<p>The military said air defences had shot down four other drones over the region during "
    "the night, and that debris had damaged a school building.</p>"
)


def test_truncated_html() -> None:
    cut = ARTICLE_HTML[: ARTICLE_HTML.index("during") + 3]  # mid-word, unclosed tags
    article = clean(Document(source="cut.html", content=cut, content_type="html"))
    assert article.title == "Drone strike hits fuel depot"
    assert article.published == dt.date(2024, 3, 5)
    assert "regional governor said in a statement." in article.text
    assert "Home" not in _paragraphs(article)


def test_deeply_nested_html_finishes_and_keeps_text() -> None:
    inner = ARTICLE_HTML.split("<article>", 1)[1]
    page = "<html><body>" + "<div>" * 5000 + inner + "</div>" * 5000 + "</body></html>"
    started = time.monotonic()
    article = clean(Document(source="nested.html", content=page, content_type="html"))
    assert time.monotonic() - started < 10
    assert "A drone struck a fuel depot in the port city" in article.text


def test_fifty_megabyte_html_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    rng = random.Random(7)
    words = ["army", "police", "attack", "village", "river", "report", "said", "killed", "the"]
    paragraphs = "".join(
        f"<p>{' '.join(rng.choice(words) for _ in range(50))} in district {i}.</p>\n"
        for i in range(2000)
    )
    script = "<script>var data = '" + "x" * 1_000_000 + "';</script>"
    page = (
        "<html><head><title>Very long page</title>"
        + script
        + "</head><body><article>"
        + paragraphs * (50_000_000 // len(paragraphs))
        + "</article></body></html>"
    )
    assert len(page) > 49_000_000
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        article = clean(Document(source="huge.html", content=page, content_type="html"))
    assert time.monotonic() - started < 30
    assert "[W003]" in caplog.text and len(article.text) > 100_000


# --- languages -------------------------------------------------------------------------------

FOREIGN = {
    "fr": "Les autorités locales ont annoncé mardi soir que trois personnes avaient été tuées "
    "lors d'une frappe de drone contre un dépôt de carburant situé dans le port, et que les "
    "pompiers étaient encore sur place au moment de la publication de ce communiqué.",
    "es": "Las autoridades locales informaron el martes por la noche de que tres personas "
    "murieron en un ataque con drones contra un depósito de combustible del puerto, y que los "
    "bomberos todavía estaban en el lugar cuando se publicó el comunicado.",
    "de": "Die örtlichen Behörden teilten am Dienstagabend mit, dass bei einem Drohnenangriff "
    "auf ein Treibstofflager im Hafen drei Menschen getötet worden seien und die Feuerwehr "
    "noch immer vor Ort sei, als die Mitteilung veröffentlicht wurde.",
}


@pytest.mark.parametrize("lang", sorted(FOREIGN))
def test_non_english_is_skipped_with_e021(lang: str) -> None:
    assert detect_language(FOREIGN[lang]) == lang
    for content_type, content in (("text", FOREIGN[lang]), ("html", f"<p>{FOREIGN[lang]}</p>")):
        with pytest.raises(SkipArticle) as err:
            doc = Document(source=f"{lang}.x", content=content, content_type=content_type)  # type: ignore[arg-type]
            clean(doc)
        assert err.value.code == "E021" and f"'{lang}'" in str(err.value)


def test_declared_language_is_trusted(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    english = "The regional governor said three people were killed in a drone strike on Tuesday."
    path.write_text(json.dumps({"text": english, "language": "fr"}) + "\n", encoding="utf-8")
    (doc,) = read_inputs([str(path)])
    assert not isinstance(doc, InputFailure)
    with pytest.raises(SkipArticle) as err:
        clean(doc)
    assert err.value.code == "E021"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Армия во вторник заявила, что её силы уничтожили три объекта на севере страны.", "ru"),
        ("Армія у вівторок заявила, що її сили знищили три об'єкти на півночі країни.", "uk"),
        ("أعلن الجيش يوم الثلاثاء أن قواته دمرت ثلاث منشآت في شمال البلاد.", "ar"),
        ("军方周二表示，其部队摧毁了该国北部的三处设施。", "zh"),
        ("軍は火曜日、北部の三つの施設を破壊したと発表した。", "ja"),
        ("군은 화요일 북부의 시설 세 곳을 파괴했다고 밝혔다.", "ko"),
        (
            "Ordu salı günü yaptığı açıklamada, kuvvetlerinin ülkenin kuzeyinde silahlı gruplar "
            "tarafından kullanılan üç tesisi imha ettiğini duyurdu.",
            "tr",
        ),
        ("Too short to tell.", None),
        (
            "Polskie wojsko poinformowało we wtorek, że zestrzeliło dwa drony nad granicą z "
            "Białorusią, a żołnierze zabezpieczyli teren.",
            "pl",
        ),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "Iraqi PM Mohammed Shia al-Sudani met Iran's FM Hossein Amir-Abdollahian in Baghdad.",
        "Protesters in La Paz clashed with police outside the Casa Grande del Pueblo.",
        "Le Pen's National Rally won 33 percent of the vote in the first round, Ipsos said.",
        "Turkish President Recep Tayyip Erdoğan met Polish President Andrzej Duda in Ankara.",
    ],
)
def test_names_do_not_make_english_look_foreign(text: str) -> None:
    assert detect_language(text) in ("en", None)


def test_text_page_api_reports_header_metadata() -> None:
    page = clean_text_page(WIRE_PAGE, slug="russian-drones-power-plant")
    assert page.title == "Russian drones hit power plant in western Ukraine"
    assert page.credit == "Associated Press" and page.publisher == "Reuters"


def test_irregular_hard_wraps_are_rejoined_not_dropped() -> None:
    """A sentence broken across short lines must survive cleaning whole (TR-News style copy)."""
    from flashpoint.clean import clean
    from flashpoint.types import Document

    text = (
        "Gunmen attacked a police post in the town of Karak on Sunday, killing a\n"
        "policeman. Two policemen\n"
        " were wounded and the assailants fled in a car, the ministry said.\n\n"
        "Security forces sealed off the area after the attack on the post."
    )
    art = clean(Document(source="karak.txt", content=text))
    assert "killing a policeman. Two policemen were wounded and the assailants fled" in art.text


def test_lean_metadata_matches_trafilaturas_full_pass() -> None:
    """Our metadata pass skips author, tags and licence; what it keeps must stay trafilatura's
    own answer (a trafilatura upgrade that changes either side shows here)."""
    import gzip

    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    from flashpoint.clean.html import _metadata

    pages = sorted((_need(BENCH) / "html").glob("*.html.gz"))[:60]
    dated = 0
    for path in pages:
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        full = extract_metadata(html, extensive=False)
        lean = _metadata(load_html(html), None)
        fields = ("title", "url", "sitename", "date")
        assert [getattr(lean, f) for f in fields] == [getattr(full, f) for f in fields], path
        dated += lean.date is not None
    assert dated >= 40
