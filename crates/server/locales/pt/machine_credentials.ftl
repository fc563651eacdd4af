error-invalid-jwk = Não é uma chave pública utilizável: indique uma JWK pública, EC P-256 (ES256) ou RSA de pelo menos 2048 bits (RS256), sem a parte privada.
audit-action-machine-credential-created = Credencial de máquina criada
audit-action-machine-credential-eservices-set = Serviços electrónicos da credencial de máquina alterados
audit-action-machine-credential-deleted = Credencial de máquina eliminada
