# SCIM provisioning (R33): what a provisioning system's changes are called in the audit.
error-external-id-taken = Another login of this entity has this external id.
error-invalid-filter = This filter cannot be read.
error-invalid-path = This attribute path does not exist.
error-no-target = Nothing matches this path.
error-immutable = This attribute cannot be changed once set.
error-version-mismatch = The login changed since it was read; read it again.
audit-action-scim-user-created = Login created by provisioning (SCIM)
audit-action-scim-user-replaced = Login replaced by provisioning (SCIM)
audit-action-scim-user-patched = Login changed by provisioning (SCIM)
audit-action-scim-user-suspended = Login suspended by provisioning (SCIM)
audit-action-scim-user-resumed = Login resumed by provisioning (SCIM)
audit-action-scim-user-deleted = Login deleted by provisioning (SCIM)
