"""daen: Danish-to-English cleanup and back-translation pipeline for editors."""

__version__ = "0.1.0"
