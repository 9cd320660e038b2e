"""Chapter modules: the computations behind each objective's notebook."""
