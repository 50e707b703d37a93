"""The premier-banking assistant's own package: NLU components, services, tools."""
