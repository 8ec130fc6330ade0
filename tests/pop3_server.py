"""A small real POP3 server (RFC 1939) on 127.0.0.1 for the bounce tests: it speaks
the commands a mail client needs over TCP, checks the login, and deletes marked
messages on QUIT as a real server does."""

from __future__ import annotations

import socketserver

from serving import serving


class POP3Handler(socketserver.StreamRequestHandler):
    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        box: POP3Server = self.server.mailbox  # type: ignore[attr-defined]
        user, signed_in, marked = None, False, set()
        self.send("+OK test POP3 server ready")
        while line := self.rfile.readline():
            command, _, argument = line.decode().strip().partition(" ")
            command = command.upper()
            if command == "USER":
                user = argument
                self.send("+OK")
            elif command == "PASS":
                signed_in = (user, argument) == (box.user, box.password)
                self.send("+OK signed in" if signed_in else "-ERR wrong login")
            elif command == "QUIT":
                if signed_in:
                    box.messages = [
                        m for i, m in enumerate(box.messages, 1) if i not in marked
                    ]
                self.send("+OK bye")
                return
            elif not signed_in:
                self.send("-ERR sign in first")
            elif command == "STAT":
                size = sum(len(m) for m in box.messages)
                self.send(f"+OK {len(box.messages)} {size}")
            elif command == "LIST":
                self.send(f"+OK {len(box.messages)} messages")
                for index, message in enumerate(box.messages, 1):
                    self.send(f"{index} {len(message)}")
                self.send(".")
            elif command == "RETR" and argument.isdigit():
                message = box.messages[int(argument) - 1]
                self.send(f"+OK {len(message)} octets")
                for raw in message.replace(b"\r\n", b"\n").split(b"\n"):
                    self.send(b"." + raw if raw.startswith(b".") else raw)
                self.send(".")
            elif command == "DELE" and argument.isdigit():
                marked.add(int(argument))
                self.send("+OK marked")
            elif command in ("NOOP", "RSET"):
                marked = set() if command == "RSET" else marked
                self.send("+OK")
            else:
                self.send("-ERR unknown command")


class POP3Server:
    """Start with `start()`; `messages` is the mailbox's content, in order."""

    def __init__(self, user: str, password: str, messages: list[bytes]) -> None:
        self.user, self.password, self.messages = user, password, list(messages)
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), POP3Handler)
        self.server.daemon_threads = True
        self.server.mailbox = self  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.running = serving(self.server)

    def start(self) -> None:
        self.running.__enter__()

    def stop(self) -> None:
        self.running.__exit__(None, None, None)
