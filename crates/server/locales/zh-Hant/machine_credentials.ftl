error-invalid-jwk = 不是可用的公鑰：請提供一個公開 JWK（EC P-256 即 ES256，或至少 2048 位元的 RSA 即 RS256），不含私鑰部分。
audit-action-machine-credential-created = 已建立機器憑證
audit-action-machine-credential-eservices-set = 已更改機器憑證的電子服務
audit-action-machine-credential-deleted = 已刪除機器憑證
