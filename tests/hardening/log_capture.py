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
        # One handler may serve several loggers: swap it once, or its own buffer would be
        # what it goes back to.
        handlers = {id(handler): handler for logger in loggers for handler in getattr(logger, "handlers", [])}
        for handler in handlers.values():
            if isinstance(handler, logging.StreamHandler) and any(
                    isinstance(f, RedactPersonalDataFilter) for f in handler.filters):
                # Not setStream: it flushes the old stream, which a test that configured logging
                # while pytest captured stderr may have left closed.
                self.swapped.append((handler, handler.stream))
                handler.stream = self.buffer
        assert self.swapped, "LOGGING installed no redacting stream handler"
        return self.buffer

    def __exit__(self, *exc):
        for handler, stream in reversed(self.swapped):
            handler.stream = stream
