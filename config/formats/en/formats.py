# English pages are read in Vietnam too: day first and a 24-hour clock, as on
# the Vietnamese pages, so that no date reads as another.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "H:i, j F Y"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
MONTH_DAY_FORMAT = "j F"
