error-invalid-jwk = Not a usable public key: give one public JWK, EC P-256 (ES256) or RSA of at least 2048 bits (RS256), without its private part.
audit-action-machine-credential-created = Machine credential created
audit-action-machine-credential-eservices-set = Machine credential's e-services changed
audit-action-machine-credential-deleted = Machine credential deleted
