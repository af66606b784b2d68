"""The layer rule: nothing below the screens imports Textual."""
import subprocess
import sys


def test_services_and_models_do_not_import_textual():
    code = ("import sys, counter_tui.services.circulation, counter_tui.services.account, "
            "counter_tui.services.setup, counter_tui.services.staff, counter_tui.models, counter_tui.db, "
            "counter_tui.services.roster, counter_tui.services.card_sheet, counter_tui.services.audit_trail, "
            "counter_tui.services.privacy, counter_tui.services.check, counter_tui.services.backup, "
            "counter_tui.commands.privacy, counter_tui.commands.readers, counter_tui.commands.cards, "
            "counter_tui.cli; "
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
