"""Turn a saved page's expected main content (HTML, e.g. Mozilla Readability's `expected.html`)
into the expected-text file of tests/data/articles/ (NAME.txt): its visible text, one block
(paragraph, heading, list item, caption, table cell row…) per line. Run:

    .venv/bin/python benchmarks/expected_text.py expected.html > tests/data/articles/NAME.txt
"""

from __future__ import annotations

import argparse
from pathlib import Path

import lxml.html

from tidings.clean import collapse_text

# Elements that start a new line of the expected text.
BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
INVISIBLE = ("script", "style", "noscript", "template")


def expected_text(page: str) -> str:
    """The visible text of the HTML `page`, one block per line, with a final newline."""
    root = lxml.html.fromstring(page)
    for element in root.iter(*INVISIBLE):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in BLOCKS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (collapse_text(line) for line in root.text_content().split("\n"))
    return "".join(f"{line}\n" for line in lines if line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("expected", type=Path, help="the expected main content, as HTML")
    args = parser.parse_args()
    print(expected_text(args.expected.read_text(encoding="utf-8")), end="")


if __name__ == "__main__":
    main()
