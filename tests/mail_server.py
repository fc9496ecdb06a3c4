"""A real SMTP server on 127.0.0.1 for the mail tests (aiosmtpd): it keeps every message it
is sent, parsed, and can be stopped and started again on its port (a server that is down)."""

import asyncio
import email
import email.policy
import re
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Arrived:
    message: EmailMessage

    @property
    def to(self) -> str:
        return self.message["To"]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    def link(self) -> str:
        """The first address of the site in the text part."""
        return re.search(r"https?://\S+", self.text).group(0)


@dataclass
class MailServer:
    port: int
    messages: list[Arrived] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    _controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(Arrived(message))
        self.arrived.set()
        return "250 OK"

    def start(self) -> "MailServer":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    #: Seconds the server keeps a client waiting for its answer to QUIT (after the mail was
    #: accepted): a goodbye lost on the way.
    quit_delay: float = 0

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.quit_delay:
            await asyncio.sleep(self.quit_delay)
        return "221 Bye"

    def to(self, address: str) -> list[Arrived]:
        return [m for m in self.messages if m.to == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_mail_server() -> MailServer:
    return MailServer(free_port()).start()
