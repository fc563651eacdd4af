# 服務櫃檯後台（行政公職局服務櫃檯）。

counter-login-title = 服務櫃檯登入
counter-login-lead = 只供櫃檯工作人員使用。離開櫃檯時請登出。
counter-signed-out = 你已登出服務櫃檯。
counter-login-submit = 登入

counter-yes = 是
counter-no = 否
counter-actions = 操作
counter-created-at = 建立日期

# 狀態及選項
counter-status = 狀態
counter-entity-type = 實體類別
counter-role = 身分
counter-role-representative = 合法代表
counter-role-proxy = 被授權人
counter-role-administrator = 管理員
counter-login-kind = 類別
counter-login-status = 狀態
counter-assurance = 身份識別級別
counter-assurance-basic = 基本（密碼）
counter-assurance-advanced = 高級（面容識別或安全驗證碼）

# 申請列表
counter-queue-title = 申請
counter-filter-status = 顯示申請
counter-filter-all = 全部
counter-filter-submit = 顯示
counter-new-application = 登記新申請
counter-application-number = 申請編號
counter-entity-name = 實體名稱
counter-registration-number = 登記編號
counter-submitted-at = 遞交日期
counter-queue-empty = 沒有可顯示的申請。

# 審核申請
counter-application-title = 申請
counter-back-to-queue = 返回申請列表
counter-entity-number-given = 已編配實體編號：
counter-approved-sms = 啟動碼已透過短訊發送至實體的流動電話號碼及每位管理員的流動電話號碼。
counter-open-entity = 開啟實體資料頁
counter-section-entity = 實體資料
counter-field-name-zh = 中文名稱
counter-field-name-pt = 葡文名稱
counter-field-name-en = 英文名稱
counter-entity-mobile = 實體的澳門流動電話號碼
counter-agreement = 實體使用者帳戶協議
counter-decided-at = 決定日期
counter-reject-reason = 不批准理由
counter-reject-reason-hint = 申請人可查閱此理由。最多 500 字。
counter-section-representatives = 合法代表及被授權人
counter-section-administrators = 管理員
counter-person-name = 姓名
counter-id-document = 身份證明文件
counter-mobile = 澳門流動電話號碼
counter-document-shown = 已出示文件
counter-poa-reference = 授權書編號
counter-section-decision = 審批
counter-start-review = 開始審核
counter-approve-hint = 批准後即編配實體編號，並以短訊發出啟動碼。
counter-approve = 批准
counter-reject = 不批准
counter-done-submitted = 申請已登記。
counter-done-review = 申請現正審核中。
counter-done-approved = 申請已批准。
counter-done-rejected = 申請不獲批准。

# 申請表
counter-form-title = 新申請
counter-form-lead = 請在核對文件正本或認證繕本後填寫申請。
counter-field-names-hint = 請填寫中文或葡文名稱，或兩者均填；英文名稱可不填。
counter-registration-number-hint = 即實體在其登記機關的登記編號。
counter-mobile-hint = 以 6 字開頭的 8 位數字，可不填 +853。
counter-representatives-hint = 請填寫所有合法代表。未用的欄位請留空。
counter-representative-n = 合法代表 { $n }
counter-id-document-type = 身份證明文件類別
counter-id-document-number = 身份證明文件編號
counter-id-number-hint = 澳門居民身份證編號的格式為 1234567(8)。
counter-document-shown-check = 已出示身份證明文件正本或認證繕本
counter-section-proxy = 被授權人
counter-proxy-hint = 只在由被授權人代表開立帳戶時填寫：須出示經公證認定簽名的授權書正本。
counter-poa-notarised-check = 已出示經公證認定簽名的授權書正本
counter-poa-reference-hint = 授權書的公證編號。
counter-administrators-hint = 1 至 3 名將持有管理員登入號的人士，每人會收到啟動碼短訊。未用的欄位請留空。
counter-administrator-n = 管理員 { $n }
counter-agreement-check = 實體使用者帳戶協議已簽署及蓋章
counter-form-submit = 登記申請

# 實體
counter-entities-title = 實體查詢
counter-entities-lead = 請輸入實體編號，或實體在其登記機關的登記編號。
counter-lookup-registration-hint = 未填實體編號時使用。
counter-lookup-submit = 查詢
counter-entities-found = 查詢結果
counter-back-to-lookup = 查詢其他實體
counter-administrators-count = 管理員數目
counter-section-logins = 登入號
counter-eservices = 電子服務
counter-admin-removed = 管理權限已被移除
counter-restore-admin = 恢復管理權限
counter-reissue-code = 重發啟動碼
counter-open-eid = 電子身份
counter-add-admin-title = 新增管理員
counter-add-admin-hint = 應實體要求並核對文件後辦理。每個實體最多有 3 名管理員；該人士會收到啟動碼短訊。
counter-add-admin-submit = 新增管理員
counter-registrations-title = 電子服務登記
counter-registrations-hint = 部分電子服務須待實體向提供服務的部門登記後，才可指派工作人員使用。
counter-registrations-none = 暫無。
counter-eservice = 電子服務
counter-register-submit = 記錄登記
counter-done-admin-added = 已新增管理員，啟動碼短訊正在發送。
counter-done-restored = 已恢復管理權限。
counter-done-reissued = 新的啟動碼正發送至登記的流動電話號碼。
counter-done-registered = 已記錄登記。

# 電子服務
counter-eservices-title = 電子服務目錄
counter-done-eservice-added = 已新增電子服務。
counter-eservice-code = 代碼
counter-eservice-name = 名稱
counter-department = 部門
counter-requires-registration = 須先登記
counter-eservices-empty = 暫未有電子服務。
counter-eservice-add-title = 新增電子服務
counter-eservice-oidc-note = 電子服務的登入設定（OpenID Connect 網址及客戶端密鑰）須透過 API 或命令列設定，密鑰只會顯示一次。
counter-eservice-code-hint = 2 至 64 個小楷英文字母、數字、- 及 _，例如 tax-returns。
counter-assurance-hint = 高級電子服務須使用面容識別或安全驗證碼。
counter-requires-registration-check = 實體須先向部門登記此電子服務，才可指派工作人員使用
counter-four-eyes-check = 四眼原則：分配須經實體另一名管理員批准才生效
counter-review-days = 權限覆核週期（日）
counter-review-days-hint = 30 至 180 日；留空即 180 日。
counter-eservice-add-submit = 新增電子服務

# 電子身份
counter-eid-title = 電子身份識別工具
counter-eid-lead = 在當事人親臨時，綁定安全驗證碼的流動應用程式，或重新開啟面容識別。
counter-login-id = 登入號識別碼
counter-login-id-hint = 載於實體資料頁。
counter-eid-find = 查詢
counter-eid-not-found = 找不到此登入號。
counter-eid-state-title = 電子身份狀態
counter-eid-face = 面容識別
counter-eid-code = 安全驗證碼
counter-eid-state-na = 不適用
counter-eid-state-on = 已啟動
counter-eid-state-off = 已關閉
counter-eid-state-bound = 已綁定應用程式
counter-eid-state-unbound = 未綁定
counter-eid-face-on-title = 重新開啟面容識別
counter-eid-face-on-hint = 只在當事人要求並核對其身份證後辦理。
counter-eid-face-on = 開啟面容識別
counter-eid-bind-title = 綁定應用程式
counter-eid-bind-hint = 請核對與登記登入號時相同的身份證明文件，再掃描當事人在應用程式中出示的二維碼。
counter-eid-payload = 已掃描的二維碼
counter-eid-payload-hint = 掃描器會把二維碼內容輸入此處。
counter-eid-bind = 綁定應用程式
counter-eid-done-bound = 應用程式已綁定此登入號。
counter-eid-done-face-on = 面容識別已重新開啟。

error-invalid-eservice-code = 請使用 2 至 64 個小楷英文字母、數字、- 及 _。
