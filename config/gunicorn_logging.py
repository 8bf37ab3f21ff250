"""gunicorn's access logger with every request value escaped.

gunicorn writes the decoded path as it came: a `%0A` or `%00` in a URL would start a
forged log line or cut one short. Every string value is escaped before formatting, so
one request is always one line.
"""

from gunicorn.glogging import Logger

from config.logging import escape_control_characters


class EscapingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: escape_control_characters(value) if isinstance(value, str) else value
                for key, value in atoms.items()}
