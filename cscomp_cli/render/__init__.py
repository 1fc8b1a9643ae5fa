"""Renderers: turn a Comparison into text. csv and json use the standard library only."""
