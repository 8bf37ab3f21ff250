"""Reading what the configured LOGGING handlers write, with their own filters and formatters."""

import io
import logging

from config.logging import RedactPersonalDataFilter


class ConfiguredHandlersCaptured:
    """Points the handlers LOGGING installed (with their filters and formatters) at a buffer."""

    def __enter__(self) -> io.StringIO:
        self.buffer = io.StringIO()
        self.swapped = []
        loggers = [logging.getLogger()] + [logging.getLogger(name) for name in logging.root.manager.loggerDict]
        for logger in loggers:
            for handler in getattr(logger, "handlers", []):
                if isinstance(handler, logging.StreamHandler) and any(
                        isinstance(f, RedactPersonalDataFilter) for f in handler.filters):
                    self.swapped.append((handler, handler.setStream(self.buffer)))
        assert self.swapped, "LOGGING installed no redacting stream handler"
        return self.buffer

    def __exit__(self, *exc):
        for handler, stream in self.swapped:
            handler.setStream(stream)
