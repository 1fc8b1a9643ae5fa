"""Renderers: one module per output format (table, csv, json, markdown, html, xlsx), each rendering every kind of result it is offered for (formats.py)."""
