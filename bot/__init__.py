"""Composition root of ЭМК-бот: the only package that knows every layer."""
