#!/usr/bin/env python3
"""Copy the served front-end files from node_modules into static/vendor (ignored by git).

Stdlib only, so it runs the same in scripts/setup.sh and in the Docker build.

- GOV.UK Frontend: the compiled CSS and JS and the images. The CSS refers to `/assets/...`;
  those URLs become relative (`assets/...`) so Django's static files resolve them.
- We use Arial, not GDS Transport: that font (and the crown) is for services on GOV.UK only.
  The @font-face rules and the font's copyright comment are dropped, the font files are not
  copied, and every `GDS Transport` font-family becomes Arial.
- The source-map comments are dropped: the maps are not copied (and would not match the
  rewritten CSS), and Django's manifest storage fails on a map it cannot find.
- axe-core: axe.min.js, for the accessibility checks in the browser tests.

Usage: scripts/vendor_frontend.py [--node-modules DIR] [--dest DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FONT_FACE = re.compile(r"@font-face\s*\{[^}]*GDS Transport[^}]*\}")
FONT_COPYRIGHT = re.compile(r"/\*!?[^*]*Margaret Calvert[^*]*\*/\s*")
FONT_FAMILY = re.compile(r"""(["']?)GDS Transport\1\s*,\s*arial""", re.IGNORECASE)
SOURCE_MAP = re.compile(r"\s*/[*/]#\s*sourceMappingURL=[^\s*]+(\s*\*/)?\s*$")


def rewrite_css(css: str) -> str:
    css = FONT_COPYRIGHT.sub("", css)
    css = FONT_FACE.sub("", css)
    css = FONT_FAMILY.sub("Arial", css)
    css = css.replace("GDS Transport", "Arial")
    css = css.replace("url(/assets/", "url(assets/")
    css = re.sub(r"""url\((["'])/assets/""", r"url(\1assets/", css)
    return SOURCE_MAP.sub("\n", css)


def check_css(css: str) -> None:
    """Fail loudly if a new GOV.UK Frontend release changed the shape these rewrites expect."""
    problems = []
    if "GDS Transport" in css:
        problems.append("'GDS Transport' is still named")
    if "@font-face" in css:
        problems.append("an @font-face rule is left")
    if re.search(r"""url\(["']?/""", css):
        problems.append("an absolute url(/...) is left")
    if "sourceMappingURL" in css:
        problems.append("a sourceMappingURL comment is left")
    if problems:
        sys.exit("vendor_frontend: govuk-frontend CSS not as expected: " + "; ".join(problems))


def vendor(node_modules: Path, dest: Path) -> None:
    govuk_dist = node_modules / "govuk-frontend" / "dist" / "govuk"
    axe = node_modules / "axe-core" / "axe.min.js"
    for needed in (govuk_dist / "govuk-frontend.min.css", govuk_dist / "govuk-frontend.min.js", axe):
        if not needed.is_file():
            sys.exit(f"vendor_frontend: {needed} is missing: run `npm ci` first")

    govuk_out = dest / "govuk"
    axe_out = dest / "axe"
    # Build into a fresh folder so files removed upstream do not linger.
    for folder in (govuk_out, axe_out):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)

    css = rewrite_css((govuk_dist / "govuk-frontend.min.css").read_text(encoding="utf-8"))
    check_css(css)
    (govuk_out / "govuk-frontend.min.css").write_text(css, encoding="utf-8")

    js = (govuk_dist / "govuk-frontend.min.js").read_text(encoding="utf-8")
    (govuk_out / "govuk-frontend.min.js").write_text(SOURCE_MAP.sub("\n", js), encoding="utf-8")

    # Images and the manifest; no fonts (see the module docstring).
    shutil.copytree(govuk_dist / "assets", govuk_out / "assets", ignore=shutil.ignore_patterns("fonts"))

    shutil.copy2(axe, axe_out / "axe.min.js")
    print(f"vendor_frontend: GOV.UK Frontend and axe-core copied into {dest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules")
    parser.add_argument("--dest", type=Path, default=ROOT / "static" / "vendor")
    args = parser.parse_args()
    vendor(args.node_modules, args.dest)


if __name__ == "__main__":
    main()
