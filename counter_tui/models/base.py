"""The base of every model: bound to the database proxy, no logic."""
from peewee import Model

from counter_tui.db import database


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False
