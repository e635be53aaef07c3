"""The APIs deployed into the engine, served on its port as API Gateway serves them.

`frontend.ApiFrontend` recognises API traffic (`addresses`), serves HTTP APIs (`http_api`) and
hands WebSocket upgrades to `websocket` when that package is present.
"""
