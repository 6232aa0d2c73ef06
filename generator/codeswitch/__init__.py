"""Dictionary-based code-switching (CoSDA-ML, Qin et al. 2020) that keeps spans and labels valid.

A sentence is selected with probability `sentence_ratio`; in a selected sentence every candidate unit
(a token, or the longest multiword lexicon entry of up to `max_words` tokens starting there) is
replaced with probability `token_ratio` by a random translation. Candidates are tokens that are not
numbers, punctuation, stop-words (when asked) or protected, and that the lexicon translates, so
`token_ratio` is the expected share of translatable tokens that get switched.

Modules: `config` (settings), `tables` (tokens and lookup tables), `switching` (one text),
`offsets` (old -> new character offsets), `examples` (QA, tagging, pair and choice examples).
"""
