"""Django's SMTP backend, keeping what the server refused.

`smtplib.sendmail` raises only when the server refuses every recipient; when it takes the message for
some and refuses others, it returns the refused ones, which Django's backend drops — the message would
be recorded as sent to all. This backend hands that answer back on the message
(`refused_recipients`: address → (code, reply)) so the sender can say who did not get it.
"""

import smtplib

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address


class EmailBackend(smtp.EmailBackend):
    def _send(self, email_message):
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in email_message.recipients()]
        message = email_message.message()
        try:
            refused = self.connection.sendmail(from_email, recipients, message.as_bytes(linesep="\r\n"))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        email_message.refused_recipients = dict(refused or {})
        return True
