# Day first, slashes, 24-hour clock: as the pages write their dates ("d/m/Y").
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
