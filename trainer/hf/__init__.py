"""Task data from Hugging Face dataset ids: the supported ids (`registry`), row converters by task family
(`qa`, `pair`, `choice`, `tagging`, `retrieval`), and loading (`loading`).

Each supported id (or config family of an id) names the task format its rows become and the row
schema it publishes; one converter per schema (SQuAD, sentence pair, choice with answer fields,
choice with keyed answers, token tags, sentence retrieval) turns a row into the same `Example` the
generator's file reader makes of the original file. Class labels are read by name from the
dataset's `features`, so a ClassLabel column and a column of label strings both work.
`datasets` is imported only when data is loaded.
"""
