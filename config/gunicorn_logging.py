"""gunicorn's access logger with every request value escaped and the request's own id.

gunicorn writes the decoded path as it came: a `%0A` or `%00` in a URL would start a
forged log line or cut one short. Every string value is escaped before formatting, so
one request is always one line. The line carries the id the application answered with
(X-Request-ID), in the JSON field and in the message, where the redaction filter keeps it.
"""

from gunicorn.glogging import Logger

from config.logging import current_request_id, escape_control_characters


class EscapingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: escape_control_characters(value) if isinstance(value, str) else value
                for key, value in atoms.items()}

    def access(self, resp, req, environ, request_time):
        answered_id = next((value for name, value in getattr(resp, "headers", None) or []
                            if name.lower() == "x-request-id"), "-")
        token = current_request_id.set(answered_id)
        try:
            super().access(resp, req, environ, request_time)
        finally:
            current_request_id.reset(token)
