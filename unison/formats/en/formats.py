"""The one way Unison writes dates and times, on pages, in the console and in e-mails: "3 Dec 2026, 14:05".

Django reads these through FORMAT_MODULE_PATH; templates use them through ``{% load dates %}``.
"""

DATE_FORMAT = "j M Y"  # 3 Dec 2026
DATETIME_FORMAT = "j M Y, H:i"  # 3 Dec 2026, 14:05
TIME_FORMAT = "H:i"  # 14:05
SHORT_DATE_FORMAT = "j M"  # 3 Dec
SHORT_DATETIME_FORMAT = "j M, H:i"  # 3 Dec, 14:05
YEAR_MONTH_FORMAT = "M Y"  # Dec 2026
MONTH_DAY_FORMAT = "j M"  # 3 Dec
