"""Finding elements by their local names (namespaces ignored): Order-X D16B and D22B, UBL 2.1 and 2.3
name the same elements under different namespace versions; a path of local names reads them all."""

from lxml import etree


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element, name: str):
    return [child for child in element if _local(child) == name]


def find_all(element, path: str):
    """Elements at `path` (« A/B/C », local names) under `element`."""
    found = [element]
    for name in path.split("/"):
        found = [child for parent in found for child in children(parent, name)]
        if not found:
            return []
    return found


def find(element, path: str):
    found = find_all(element, path)
    return found[0] if found else None


def text(element, path: str) -> str:
    found = find(element, path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def where(element, path: str = "") -> str:
    """A readable XPath of `path` under `element`, for the review screen's « source »."""
    names = []
    node = element
    while node is not None and isinstance(node.tag, str):
        parent = node.getparent()
        name = _local(node)
        if parent is not None:
            same = children(parent, name)
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        names.append(name)
        node = parent
    base = "/" + "/".join(reversed(names))
    return f"{base}/{path}" if path else base


__all__ = ["children", "etree", "find", "find_all", "text", "where"]
