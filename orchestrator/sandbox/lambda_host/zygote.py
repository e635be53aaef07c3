"""The template of every execution environment: a process that has imported the AWS SDK once
and forks a new environment from itself on request (a fork server).

Lambda's Python runtime ships boto3 (https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html);
a handler imports it in its init phase, which on a small host costs more than the rest of a cold
start. Forked from here, an environment finds it imported already, and a cold start costs a
fork. What a handler sees is unchanged: its own environment variables, working folder, code and
layers first on `sys.path`, a process group of its own. Run as a script by `forkserver.py`,
with the descriptor of its socket as the argument; it uses the standard library and the SDK only.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import sys
import time

import boto3  # noqa: F401  # the preload: every environment forked from here has it imported

# `bootstrap.py` beside this script (this folder is sys.path[0]; each environment replaces it
# with its code's folder before the handler is imported)
RUNTIME = importlib.import_module("bootstrap")
MESSAGE_BYTES = 1 << 20


def become_environment(request: dict[str, object], descriptors: list[int]) -> int:
    """In the forked child: take the environment's pipes, folder and variables, then serve
    invocations; the exit status."""
    os.setsid()  # a process group of its own, as a spawned environment has
    requests, answers = descriptors
    os.dup2(requests, 0)
    os.dup2(answers, 1)
    nothing = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nothing, 2)
    for descriptor in (requests, answers, nothing):
        os.close(descriptor)
    os.chdir(str(request["cwd"]))
    environment = request["env"]
    assert isinstance(environment, dict)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in environment.items()})
    time.tzset()  # TZ is read at start in a spawned process; here it changed after
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the handler's own subprocesses are reaped
    status: int = RUNTIME.main()
    return status


def serve(channel: socket.socket) -> None:
    # Forked environments are reaped by the kernel: the engine stops them by their pid.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        message, descriptors, _, _ = socket.recv_fds(channel, MESSAGE_BYTES, 2)
        if not message:  # the engine closed the socket or ended
            return
        pid = os.fork()
        if pid == 0:
            channel.close()
            try:
                os._exit(become_environment(json.loads(message), descriptors))
            except BaseException:
                os._exit(1)  # never back into the loop, whatever happened
        for descriptor in descriptors:
            os.close(descriptor)
        channel.send(str(pid).encode())


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
