"""A refused form's page read as a screen reader reads it: the summary at the top
(templates/_error_summary.html) and the marks on the inputs it links to.

The page is parsed, not searched for strings, so a test says what a person
meets: which box takes the focus as the page opens, which links it holds in
which order, and, for each, whether the input it leads to is marked invalid and
described by the same sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr")
)


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def text(self) -> str:
        words = "".join(c if isinstance(c, str) else f" {c.text()} " for c in self.children)
        return " ".join(words.split())


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self._open[-1].children.append(node)
        if tag not in _VOID:
            self._open.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


@dataclass(frozen=True)
class RefusedPage:
    root: Node

    @classmethod
    def of(cls, html: str | bytes) -> RefusedPage:
        tree = _Tree()
        tree.feed(html.decode() if isinstance(html, bytes) else html)
        return cls(tree.root)

    def by_id(self, element_id: str) -> Node:
        found = [n for n in self.root.iter() if n.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    @property
    def summary(self) -> Node:
        """The box that takes the focus as the page opens (without a script):
        the first with autofocus, the one a browser focuses (a login form's
        own autofocus on its first box comes after it)."""
        boxes = [n for n in self.root.iter() if "autofocus" in n.attrs]
        assert boxes, "no element with autofocus"
        box = boxes[0]
        assert "error-summary" in box.attrs.get("class", "").split(), box.attrs
        assert box.attrs.get("tabindex") == "-1", box.attrs
        alerts = [n.attrs.get("id") for n in box.iter() if n.attrs.get("role") == "alert"]
        assert alerts == ["form-error"], box.attrs
        return box

    @property
    def links(self) -> list[tuple[str, str]]:
        """(target id, words) of each link of the summary, in its order."""
        return [
            (n.attrs["href"].removeprefix("#"), n.text())
            for n in self.summary.iter()
            if n.tag == "a" and n.attrs.get("href", "").startswith("#")
        ]

    def description(self, element_id: str) -> str:
        """What a screen reader reads as the element's description."""
        ids = self.by_id(element_id).attrs.get("aria-describedby", "").split()
        return " ".join(self.by_id(i).text() for i in ids)

    def assert_marked(self, element_id: str, sentence: str) -> None:
        """Invalid, and described by ``sentence``, said beside it."""
        element = self.by_id(element_id)
        assert element.attrs.get("aria-invalid") == "true", element.attrs
        assert sentence in self.description(element_id), self.description(element_id)
