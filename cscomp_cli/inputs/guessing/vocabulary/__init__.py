"""The header names the common CRM / CS, HR and payroll tools export by default, as data: one module per
family (crm, hr, payroll, finance), one entry per tool with the page its names were read from.

`vocabulary(table)` merges them: canonical column -> the headers that name it, each marked strong (names the
concept on its own: `Customer Success Manager`, `Beginning ARR`) or weak (a generic word that needs its
cells to agree: `Owner`, `ARR`, `Amount`). Recognition (recognition.py) weighs the two with the cells.
"""
