"""The circulation desk's services: lend, return, renew, holds, shelving, losses, damage, notices, rules."""
