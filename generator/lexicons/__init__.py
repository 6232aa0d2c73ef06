"""Bilingual lexicons for code-switching: the `Lexicon` type, file formats, derived lexicons, discovery."""
