"""Machine-translation backends behind one `Translator` protocol, created by name from the registry."""

from generator.backends.base import Translator
from generator.backends.registry import BACKENDS, create_translator, describe_backends

__all__ = ["BACKENDS", "Translator", "create_translator", "describe_backends"]
