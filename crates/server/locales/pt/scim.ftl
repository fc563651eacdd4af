# Aprovisionamento SCIM (R33): como a auditoria chama as alterações de um sistema de aprovisionamento.
error-external-id-taken = Outro utilizador desta entidade tem este identificador externo.
error-invalid-filter = Não é possível ler este filtro.
error-invalid-path = Este caminho de atributo não existe.
error-no-target = Nada corresponde a este caminho.
error-immutable = Este atributo não pode ser alterado depois de definido.
error-version-mismatch = O utilizador mudou depois de ser lido; leia-o de novo.
audit-action-scim-user-created = Utilizador criado por aprovisionamento (SCIM)
audit-action-scim-user-replaced = Utilizador substituído por aprovisionamento (SCIM)
audit-action-scim-user-patched = Utilizador alterado por aprovisionamento (SCIM)
audit-action-scim-user-suspended = Utilizador suspenso por aprovisionamento (SCIM)
audit-action-scim-user-resumed = Utilizador retomado por aprovisionamento (SCIM)
audit-action-scim-user-deleted = Utilizador eliminado por aprovisionamento (SCIM)
