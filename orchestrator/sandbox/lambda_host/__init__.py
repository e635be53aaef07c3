"""Running Lambda handlers on the host: code and layers unpacked, warm execution environments."""
