"""Build data/reference/new_areas.tsv: China's state-level new areas (国家级新区).

Source: the State Council's approvals (国务院关于同意设立…新区的批复, 1992–2017), as listed on the
National Development and Reform Commission's pages on state-level new areas. The list is short, fixed
and public, and no PyPI package carries it, so it is transcribed here: official name, the usual short
form, and the division that hosts it (a province where the area spans several cities). 上海浦东新区 and
天津滨海新区 are left out: they are districts of their municipalities and divisions.tsv has them.

Run: .venv/bin/python -m tools.refdata.build_new_areas   (after build_divisions: host ids come from it)
"""

from __future__ import annotations

import csv
import logging

from tools.refdata.common import OUT_DIR, write_tsv

logger = logging.getLogger(__name__)

SOURCE = "gov-new-areas"

# (official name, short form, host division's canonical name in divisions.tsv)
NEW_AREAS = (
    ("重庆两江新区", "两江新区", "重庆"),
    ("浙江舟山群岛新区", "舟山群岛新区", "舟山"),
    ("甘肃兰州新区", "兰州新区", "兰州"),
    ("广州南沙新区", "南沙新区", "广州"),
    ("陕西西咸新区", "西咸新区", "陕西"),  # 西安 and 咸阳
    ("贵州贵安新区", "贵安新区", "贵州"),  # 贵阳 and 安顺
    ("青岛西海岸新区", "西海岸新区", "青岛"),
    ("大连金普新区", "金普新区", "大连"),
    ("四川天府新区", "天府新区", "四川"),  # 成都 and 眉山
    ("湖南湘江新区", "湘江新区", "长沙"),
    ("南京江北新区", "江北新区", "南京"),
    ("福州新区", "", "福州"),
    ("云南滇中新区", "滇中新区", "云南"),  # 昆明 and 曲靖
    ("哈尔滨新区", "", "哈尔滨"),
    ("长春新区", "", "长春"),
    ("江西赣江新区", "赣江新区", "江西"),  # 南昌 and 九江
    ("河北雄安新区", "雄安新区", "河北"),
)


def _divisions() -> dict[str, tuple[str, str]]:
    """canonical name -> (id, province) of the prefecture- and province-level units."""
    out: dict[str, tuple[str, str]] = {}
    with (OUT_DIR / "divisions.tsv").open(encoding="utf-8") as f:
        rows = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
        for row in rows:
            if row["level"] in ("province", "municipality", "prefecture"):
                out.setdefault(row["canonical"], (row["id"], row["province"] or row["canonical"]))
    return out


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    divisions = _divisions()
    rows = []
    for official, short, host in NEW_AREAS:
        host_id, province = divisions[host]
        rows.append(
            {
                "id": f"newarea:{official}",
                "canonical": official,
                "name": official,
                "label": "Park",
                "level": "",
                "kind": "国家级新区",
                "aliases": short,
                "weak": "",
                "parent_id": host_id,
                "province": province,
                "source": SOURCE,
            }
        )
    n = write_tsv(
        "new_areas.tsv",
        rows,
        header_note=(
            "State-level new areas (国家级新区), approved by the State Council 1992-2017.",
            "Source: the State Council's approvals as listed by the NDRC; transcribed in",
            "tools/refdata/build_new_areas.py (see data/README.md).",
        ),
    )
    logger.info("new_areas.tsv: %d rows", n)


if __name__ == "__main__":
    main()
