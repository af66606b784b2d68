"""Command-line subcommands, one module per area; cli.py registers each module's commands."""
