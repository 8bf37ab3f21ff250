"""A mail backend standing in for an SMTP server that drops the first connections."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakySMTPBackend(EmailBackend):
    failures_left = 0
    attempts = 0
    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            raise type(self).error
        return super().send_messages(messages)
