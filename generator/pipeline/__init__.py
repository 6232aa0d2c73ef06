"""plan -> run -> write: English task file to translated / code-switched shards, resumable.

The work is cut into units, one per shard: (task, language, method, shard index) over a fixed
range of input rows. A unit is processed in batches of examples; a batch gathers every segment
its examples need (context sentences, marked answer sentences, questions, ...), drops duplicates,
looks them up in the translation memory and sends the rest to the backend in one call. The
answers of all questions on a context are planned together over the unit, so a sentence is sent
once, marked with every answer it holds. A shared copy whose markers did not survive gets one more
call for the plain sentence and per-answer copies; answers still unplaced get one for the answer
texts (fuzzy / alignment fallback).
Translations are then filtered (empty, length ratio, copy, language id) and the unit is written
as one shard; the manifest lists finished shards, so a rerun skips them.
"""
