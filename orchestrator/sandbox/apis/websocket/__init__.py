"""WebSocket APIs deployed into the sandbox, served on its port (`ws://`): the connection's life
in `server`, live connections and `@connections` in `connections`, route selection in `routes`,
`$connect` authorizers in `authorizers`.

This package's own import stays light: the management API's fix reads `connections`, and the
fixes are imported before the server side is.
"""
