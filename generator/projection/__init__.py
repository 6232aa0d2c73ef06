"""Span and label projection through translation: markers first, then fuzzy matching, then alignment.

A QA answer is projected by translating its sentence with the answer wrapped in markers
(mark-then-translate). The disjoint answers of all questions on a sentence share one marked copy,
whose translation (markers removed) is also the sentence's translation; overlapping answers go to
further copies, looked up in that translation. When the markers do not survive, the separately translated answer is looked
for in the translated sentence by character-trigram similarity (fuzzy). When that fails too, the
span is placed by piecewise-linear alignment between words the source and the translation share
(names, numbers), with a confidence that falls as the anchors get further from the answer. Spans
below every threshold are lost: the caller drops the example and counts it.

Tagging entities (B-/I- runs) are projected by marking every entity in the sentence; the translated
sentence is re-tokenised by whitespace and the covered tokens get B-/I- tags.
"""
