"""Helpers for the report PDF tests: reading PDFs back with poppler (pdftotext, pdfinfo, pdftoppm) and looking
at their pages. Kai's report itself and its ready PDFs are made by tests.factories (`kais_report`,
`ready_document`)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from PIL import Image

RESULTS = Path("test-results/report-pdfs")
FULL_NAME = "Kai Brennan"
BLUE = (0x1D, 0x70, 0xB8)


def _poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603 - fixed tools


def pdf_text(path: Path, *, page: int | None = None, layout: bool = True) -> str:
    """The text as laid out on the page, or (layout=False) in the order it was written, cell by cell."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _poppler("/usr/bin/pdftotext", "-layout" if layout else "-raw", *pages, str(path), "-")


def pdf_info(path: Path) -> dict[str, str]:
    lines = _poppler("/usr/bin/pdfinfo", str(path)).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def page_png(path: Path, page: int, name: str, *, resolution: int = 80) -> Path:
    """One page as a PNG under test-results/report-pdfs/, for the test and for a person to look at."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / name
    _poppler(
        "/usr/bin/pdftoppm",
        "-r",
        str(resolution),
        "-png",
        "-singlefile",
        "-f",
        str(page),
        "-l",
        str(page),
        str(path),
        str(target),
    )
    return target.with_suffix(".png")


def pixels_near(png: Path, target: tuple[int, int, int], tolerance: int = 12) -> int:
    image = Image.open(png).convert("RGB")
    colours: list[tuple[int, Any]] = image.getcolors(maxcolors=10_000_000) or []
    return sum(
        count for count, rgb in colours if all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True))
    )
