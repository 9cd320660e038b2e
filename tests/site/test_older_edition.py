"""An earlier edition's pages carry a notice linking to the latest edition's front page."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from bbp_analysis.site.editions import mark_older

PAGE = '<html><body><main><article class="bd-article" role="main"><h1>T</h1></article></main>'


def test_every_page_of_an_older_edition_links_to_the_latest(tmp_path: Path) -> None:
    edition = tmp_path / "2022-23"
    (edition / "book" / "indicators").mkdir(parents=True)
    for page in ("book/index.html", "book/indicators/pm1.html"):
        (edition / page).write_text(PAGE, encoding="utf-8")
    mark_older(edition, "2022-23", "2025-26")
    mark_older(edition, "2022-23", "2025-26")  # a second run adds nothing
    for page, href in (
        ("book/index.html", "../../book/index.html"),
        ("book/indicators/pm1.html", "../../../book/index.html"),
    ):
        soup = BeautifulSoup((edition / page).read_text(encoding="utf-8"), "html.parser")
        (notice,) = soup.select("article .bbp-older-edition")
        assert notice.parent.name == "article" and notice is soup.article.contents[0]
        assert " ".join(notice.get_text().split()) == (
            "This is an older edition (2022-23). The latest edition is 2025-26: "
            "go to the latest edition."
        )
        # from <site>/2022-23/<page> the link reaches <site>/book/index.html, the latest
        assert notice.a["href"] == href
        target = (edition / page).parent / href
        assert target.resolve() == (tmp_path / "book" / "index.html").resolve()
