"""The `xstilts` command line: one app gathering the generator, service and trainer verbs."""
