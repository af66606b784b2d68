"""Refusals: a plain sentence the desk clerk reads, and nothing changed."""
from __future__ import annotations


class Refusal(Exception):
    """The operation was refused; `str(refusal)` is the sentence shown to the clerk."""

    bell = True  # the clerk must look up from the pile

    def __init__(self, sentence: str, field: str | None = None):
        super().__init__(sentence)
        self.sentence = sentence
        # the input the sentence is about, by the service's own name for it (a parameter, a
        # ReaderFields attribute): a form puts the cursor back in that field
        self.field = field


class NotFound(Refusal):
    pass


class PermissionDenied(Refusal):
    """The acting staff member lacks the role. `tried` (the account), `doing` and `allowed` (who
    may) let the command line say it in its own words, where the desk says "Ctrl+O switches user"."""

    def __init__(self, sentence: str, *, tried: str | None = None, doing: str | None = None,
                 allowed: str | None = None):
        super().__init__(sentence)
        self.tried, self.doing, self.allowed = tried, doing, allowed


class CardScanned(Refusal):
    """A reader's card where a book was expected; the desk may switch reader."""

    bell = False

    def __init__(self, card: str):
        super().__init__(f"{card} is a reader's card, not a book.")
        self.card = card


class OnLoanElsewhere(Refusal):
    """The copy is still on another reader's account; the clerk may check it in first."""

    def __init__(self, sentence: str, barcode: str, holder_name: str):
        super().__init__(sentence)
        self.barcode = barcode
        self.holder_name = holder_name
