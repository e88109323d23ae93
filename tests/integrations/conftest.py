"""The integrations tests' fixtures."""

from support.recording_service import service

__all__ = ["service"]
