"""A pretrained multilingual encoder's hidden states: subword vectors of words and pooled sentence embeddings."""
