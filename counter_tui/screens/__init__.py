"""The desks and dialogs, one package per post. Whatever they show reaches the terminal without
control characters, whoever wrote it into the database (widgets/terminal_text.py)."""
from counter_tui.widgets.terminal_text import cover

cover()
