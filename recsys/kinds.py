"""The rating models by name, apart from their torch modules: the CLI's choices and an
artifact's checks must not import torch (3-5 s here) to know the names."""

MODEL_KINDS = ("mf", "mf_bias", "ncf")
