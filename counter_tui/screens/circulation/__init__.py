"""The circulation desk's screens: check out, check in, renew, holds, and its back-office tools."""
from counter_tui.i18n import N_
from counter_tui.screens.posts import Desk, Entry, Post, TitleTool
from counter_tui.services.access import CATALOGING, CIRCULATION, CURATOR, READING_ROOM

_HERE = "counter_tui.screens.circulation"
POST = Post(
    name=N_("Circulation"), order=10,
    desks=(
        Desk("checkout", "f2", N_("Check out"), (CIRCULATION,), f"{_HERE}.checkout:CheckoutScreen"),
        Desk("checkin", "f3", N_("Check in"), (CIRCULATION,), f"{_HERE}.checkin:CheckinScreen"),
        Desk("renew", "f4", N_("Renew"), (CIRCULATION,), f"{_HERE}.renew:RenewScreen"),
        Desk("holds", "f7", N_("Holds"), (CIRCULATION,), f"{_HERE}.holds:HoldsScreen"),
    ),
    entries=(
        Entry("notices", "n", N_("Overdue and hold notices"), (CIRCULATION, CURATOR), f"{_HERE}.notices:NoticesScreen"),
        Entry("shelving", "s", N_("Shelving cart and in-house use"), (CIRCULATION, READING_ROOM),
              f"{_HERE}.shelving:ShelvingScreen"),
        Entry("repairs", "r", N_("Repair queue and withdrawals"), (CIRCULATION, CATALOGING, CURATOR),
              f"{_HERE}.repairs:RepairsScreen"),
        Entry("rules", "c", N_("Circulation rules and calendar"), (CURATOR,), f"{_HERE}.rules:RulesScreen"),
    ),
    title_tools=(
        TitleTool("ctrl+r", N_("Place hold"), "catalogue.place_hold", (CIRCULATION,),
                  f"{_HERE}.holds:TitleHoldsScreen"),
    ),
    home={CIRCULATION: "checkout"},
)
