"""The message catalogues are complete: ``pybabel extract`` + ``update`` (as a translator would run them, in a temp
folder) leave no untranslated and no fuzzy message in either language, and the compiled .mo files are current."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[1]
TRANSLATIONS = ROOT / "app" / "translations"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]


@pytest.fixture(scope="module")
def updated(tmp_path_factory) -> Path:
    """A copy of the catalogues updated from the source's messages (lazy ``_l`` ones included)."""
    work = tmp_path_factory.mktemp("catalogue")
    shutil.copytree(TRANSLATIONS, work / "translations")
    pot = work / "messages.pot"
    subprocess.run([*PYBABEL, "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
                    "-o", str(pot), str(ROOT / "app")], check=True, cwd=ROOT, capture_output=True)
    subprocess.run([*PYBABEL, "update", "-i", str(pot), "-d", str(work / "translations"), "--ignore-obsolete"],
                   check=True, capture_output=True)
    return work / "translations"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_untranslated_or_fuzzy_message(updated, language):
    with open(updated / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po)
    untranslated = [m.id for m in catalogue if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert len(catalogue) > 500
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_compiled_catalogue_matches_the_po_file(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as po, open(folder / "messages.mo", "rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    assert {m.id: m.string for m in source if m.id and m.string} == {m.id: m.string for m in compiled if m.id}
