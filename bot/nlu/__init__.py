"""Chinese NLU: normalisation, segmentation, entity rules and canonical values."""
