"""The sandbox's Cognito user pools as token issuers: the engine's signing key, the issuer URL
its tokens name, and the public key set every verifier reads."""
