"""Developer tools run through ``python -m bot``; not used at run time."""
