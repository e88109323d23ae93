"""tidings: a self-hosted news-feed aggregator."""

__version__ = "0.1.0"
