"""Composition root of EMK-bot: the only package that knows every layer."""
