"""aigcwatch: monitor of Chinese and English discourse about AI video-generation models."""

__version__ = "0.1.0"
