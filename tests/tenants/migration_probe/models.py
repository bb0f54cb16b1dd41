"""One table whose migrations are a plain AddField, a RunPython, then another AddField."""

from __future__ import annotations

from django.db import models


class Probe(models.Model):
    label = models.CharField(max_length=40, default="")
    note = models.CharField(max_length=40, default="")  # 0002: a trivial AddField
    size = models.IntegerField(default=0)  # 0004: an AddField after the RunPython of 0003
