"""The local AWS engine: moto's server on 127.0.0.1 plus the fixes that make it behave like AWS."""
