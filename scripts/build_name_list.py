"""Write src/yalomfactors/data/person_names.txt, the names identifier screening looks for.

    python scripts/build_name_list.py

The list comes from Faker's person providers (see ``yalomfactors.privacy.build_name_list``). It is
shipped as a file so that screening needs neither Faker nor its start-up time;
tests/test_privacy.py checks the file against a fresh build with the Faker version it records.
"""

from __future__ import annotations

from pathlib import Path

import faker

from yalomfactors.privacy import _NAMES_FILE, build_name_list

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    names = sorted(build_name_list())
    header = [
        "# Personal names screened for by yalomfactors.privacy (lower case, one per line).",
        f"# Built by scripts/build_name_list.py from Faker {faker.VERSION} person providers; do not edit by hand.",
    ]
    path = ROOT / "src" / "yalomfactors" / "data" / _NAMES_FILE
    path.write_text("\n".join(header + names) + "\n", encoding="utf-8")
    print(f"{len(names)} names -> {path}")


if __name__ == "__main__":
    main()
