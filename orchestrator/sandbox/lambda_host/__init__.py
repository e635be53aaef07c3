"""Running Lambda handlers on the host: code and layers unpacked, one subprocess per invoke."""
