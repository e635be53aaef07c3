"""The sessions table of the WebSocket/S3 function: the seed's functions bound to its table."""

from shared.sessions import open_session_store

# Created once per container at cold start and reused by every invocation.
sessions = open_session_store()
table = sessions.table

save_session = sessions.save_session
get_session = sessions.get_session
update_session = sessions.update_session
get_session_by_connection_id = sessions.get_session_by_connection_id
clear_connection_id = sessions.clear_connection_id
