from counter_tui.cli import main

main()
