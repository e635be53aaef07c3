"""The request guard: the sandbox runs code as the developer's user, so only the developer may
drive it.

`hosts` refuses a request whose `Host` is not this machine (DNS rebinding), `keys` is the access
key pairs the engine generates at start, `signing` reads the key a request is signed with,
`unsigned` says which unsigned requests AWS serves, `refusals` answers the others as AWS does, and
`middleware` puts these in front of moto's WSGI app, with no CORS header on any answer.
"""
