"""Business operations. One public function = one use case = one transaction.

Nothing here imports Textual: the desk, the command line and any future protocol
server call the same functions.
"""
