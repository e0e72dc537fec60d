"""bsl: a domain-specific language for breeding schemes."""
__version__ = "0.1.0"
