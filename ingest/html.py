"""HTML to text lines: drop the page chrome by element, keep the article's structure.

Method (general, not tuned to one site):
1. Remove elements that never hold article text: script, style, nav, aside, form, iframe,
   button, select, noscript, template, and any element whose class or id names a page part
   (site header/footer, menu, sidebar, breadcrumb, banner, ad, share, related, popular, tags).
2. Keep the main content root: the first <article>, else <main>, else <body>. A <header> or
   <footer> outside that root is chrome; inside it (the article's own head/foot) it is kept.
3. Block elements become line breaks; headings become "# ..." and list items "- ...", so that
   the same line cleaner handles HTML, Markdown and plain text.
Returns the lines and hints (<title>, <meta> date/description/site name) for metadata.
"""

from __future__ import annotations

import re

from budgetqa.errors import IngestError

DROP_TAGS = {
    "script",
    "style",
    "nav",
    "aside",
    "form",
    "iframe",
    "button",
    "select",
    "noscript",
    "template",
    "svg",
    "input",
    "label",
}
CHROME_CLASS = re.compile(
    r"^(?:(?:site|global|page|top|bottom)[-_])?"
    r"(?:header|footer|gnb|lnb|menu|nav(?:bar)?|sidebar|breadcrumbs?|banner|ads?|advert\w*|"
    r"share|social|related\w*|popular|most[-_]read|ranking|comments?|copyright|tags?|widget)$",
    re.IGNORECASE,
)
BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}


def html_to_lines(text: str) -> tuple[list[str], dict[str, str]]:
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises several types for broken markup
        raise IngestError(f"cannot parse HTML: {exc}") from None
    hints = _head_hints(doc)
    root = next(
        (r for r in (_first(doc, x) for x in ("//article", "//main", "//body")) if r is not None), doc
    )
    for el in list(root.iter()):
        if not isinstance(el.tag, str):  # comments, processing instructions
            el.drop_tree()
            continue
        if el.tag in DROP_TAGS or _is_chrome(el):
            el.drop_tree()
    for table in list(root.iter("table")):
        _table_to_rows(table)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in BLOCK_TAGS:
            prefix = ""
            if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                prefix = "#" * int(el.tag[1]) + " "
            elif el.tag == "li":
                prefix = "- "
            el.text = "\n" + prefix + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    lines = [re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in root.text_content().split("\n")]
    return lines, hints


def _table_to_rows(table) -> None:
    """Replace a <table> with its caption and one "| cell | cell |" line per row, the way a
    Markdown table reads (``ingest.tables`` turns them into facts)."""
    import lxml.html

    lines = []
    caption = table.find(".//caption")
    if caption is not None:
        lines.append(" ".join(caption.text_content().split()))
    for n, row in enumerate(table.iter("tr")):
        cells = [" ".join(c.text_content().split()).replace("|", "/") for c in row if c.tag in ("td", "th")]
        if cells:
            lines.append("| " + " | ".join(cells) + " |")
            if n == 0:
                lines.append("|" + "---|" * len(cells))
    block = lxml.html.Element("pre")
    block.text = "\n".join(lines)
    block.tail = table.tail
    table.getparent().replace(table, block)


def _first(doc, xpath: str):
    found = doc.xpath(xpath)
    return found[0] if found else None


def _is_chrome(el) -> bool:
    names = [*(el.get("class") or "").split(), el.get("id") or ""]
    if any(CHROME_CLASS.match(n) for n in names if n):
        return True
    return el.get("role") in ("navigation", "banner", "contentinfo", "complementary")


def _head_hints(doc) -> dict[str, str]:
    hints: dict[str, str] = {}
    title = doc.findtext(".//title")
    if title:
        # "Headline | Site name": the site name is not part of the headline
        parts = re.split(r"\s+[|｜\-–—]\s+", title.strip())
        hints["title"] = parts[0].strip()
        if len(parts) > 1:
            hints["site"] = parts[-1].strip()
    for meta in doc.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        value = meta.get("content", "").strip()
        if key in ("article:published_time", "date", "pubdate", "dc.date"):
            hints.setdefault("date", value)
        elif key == "og:site_name":
            hints["site"] = value
        elif key in ("og:url",):
            hints.setdefault("url", value)
        elif key == "author":
            hints.setdefault("reporter", value)
    for time_el in doc.xpath("//time[@datetime]"):
        hints.setdefault("date", time_el.get("datetime", ""))
    return hints
