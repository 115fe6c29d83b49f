"""A real SMTP server for the tests (aiosmtpd), that can refuse recipients and drop connections."""

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Recorder:
    """What the server received, and how it should misbehave.

    `refuse` maps an address to the reply its RCPT gets ("550 …" permanent, "450 …" temporary);
    `drop_on` lists the numbers of DATA commands (1-based, over the server's life) after which it
    hangs up without answering.
    """

    refuse: dict[str, str] = field(default_factory=dict)
    drop_on: set[int] = field(default_factory=set)
    messages: list[EmailMessage] = field(default_factory=list)
    connections: int = 0
    data_commands: int = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        if self.data_commands in self.drop_on:
            server.transport.close()
            return "421 closing"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


class SmtpServer:
    """`with SmtpServer() as smtp:` a server on 127.0.0.1:<free port>; `smtp.url` for SMTP_URL."""

    def __init__(self, recorder: Recorder | None = None):
        self.recorder = recorder or Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> Recorder:
        self.controller.start()
        self.recorder.url = self.url
        return self.recorder

    def __exit__(self, *exc) -> None:
        self.controller.stop()
