"""The rules of ЭМК-бот: pure Python, no aiogram, no database."""
