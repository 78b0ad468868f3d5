"""Dates and times as people in Vietnam write them, on pages in either language.

Django's English formats are American: "12/07/2026 2:27 a.m." on the console
was 7 December, read as 12 July (a helper walking make run); its Vietnamese
short format writes 06-12-2026 where every page of ours writes 06/12/2026.
Settings' FORMAT_MODULE_PATH puts these first; what they leave out comes from
Django's own locale files.
"""
