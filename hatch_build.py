"""The long description: README.md with its relative links made absolute.

A package index shows the README without the repository around it, so a link such as
``bench/results.md`` would lead nowhere there. Every relative link and image is pointed at
the repository named in ``[project.urls]`` (``Repository``), at its main branch. Hatchling
runs this hook (``[tool.hatch.metadata.hooks.custom]``) for every build.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

#: ``](target)`` of a Markdown link or image whose target has no scheme and is no anchor.
RELATIVE_LINK = re.compile(r"(!?)\[([^\]]*)\]\((?![a-z][a-z0-9+.-]*:|#)([^)\s]+)\)")


def absolute_links(markdown: str, repository: str) -> str:
    """``markdown`` with each relative link under ``repository``: images as raw files."""

    def absolute(match: re.Match[str]) -> str:
        bang, text, target = match.groups()
        kind = "raw" if bang else "blob"
        return f"{bang}[{text}]({repository.rstrip('/')}/{kind}/main/{target.lstrip('./')})"

    return RELATIVE_LINK.sub(absolute, markdown)


class AbsoluteLinksReadme(MetadataHookInterface):
    def update(self, metadata: dict[str, Any]) -> None:
        repository = metadata["urls"]["Repository"]
        text = (Path(self.root) / "README.md").read_text(encoding="utf-8")
        metadata["readme"] = {
            "content-type": "text/markdown",
            "text": absolute_links(text, repository),
        }
