# 有時限的權限（R28–R31、R37）：分配的日期、審批、權限覆核、申請。

nav-access-review = 權限覆核
nav-access-requests = 權限申請

# 分配現時的狀態。
access-state-active = 生效中
access-state-until = 有效至 { $until }
access-state-from = 由 { $from } 起生效
access-state-from-until = 由 { $from } 至 { $until }
access-state-proposed = 待另一名管理員審批
access-state-suspended = 已暫停，待覆核確認
access-state-ended = 已結束
access-status-active = 生效中
access-status-pending = 尚未生效
access-status-suspended = 已暫停
access-status-ended = 已結束
access-last-used = 最後使用：{ $at }
access-never-used = 從未使用
access-no-end = 不設結束日期

# 日期。
access-from = 開始日期
access-from-hint = 留空：即時生效。
access-until = 結束日期（包括當日）
access-until-hint = 留空：不設結束日期。
access-ends = 或選擇結束時間
access-ends-as-typed = 按上面的日期
access-ends-month = 本月底
access-ends-3-months = 三個月後
access-ends-year = 今年底

# 一個登入帳戶的電子服務。
access-login-title = { $name } 的電子服務
access-login-back = 所有登入帳戶及電子服務
access-login-lead = 請剔選此登入帳戶可使用的電子服務；如權限有時限，請填寫開始及結束日期，然後儲存。日期以澳門時間計算。
access-login-use = 可使用「{ $eservice }」
access-login-save = 儲存
access-login-saved = 電子服務及其日期已儲存。
access-login-approved = 分配已獲審批，現已生效。
access-proposals-title = 待審批
access-proposal = { $by } 建議分配「{ $eservice }」，須經另一名管理員審批後方生效。
access-proposal-yours = 你提出的建議須由另一名管理員審批。
access-approve = 審批
access-matrix-dates-hint = 如要給予有時限的權限，請按登入帳戶的名稱，設定開始及結束日期。
access-staff-eservices-link = 電子服務及日期

# 權限覆核。
access-review-title = 權限覆核
access-review-due = 本次覆核於 { $started } 開始，須於 { $due } 前完成。請就每個登入帳戶使用每項電子服務的權限作出確認或撤銷。
access-review-suspends = 至 { $suspends } 仍未決定的權限將暫停，直至獲確認為止。
access-review-empty = 暫無需要覆核的電子服務權限。
access-review-caption = { $name } 在本次覆核中的電子服務
access-col-last-used = 最後使用
access-col-decision = 決定
access-decision-confirm = 已確認
access-decision-remove = 已撤銷
access-decided-by = 由 { $name } 決定
access-confirm = 確認
access-remove = 撤銷
access-confirm-all = 確認 { $name } 的全部權限
access-review-own = 你本人的權限須由另一名管理員確認。
access-review-saved = 決定已儲存。
access-review-finished = 覆核已完成：所有項目均已決定，可於下方匯出。
access-review-last = 上次覆核於 { $at } 完成
access-review-export-csv = 匯出 CSV
access-review-export-json = 匯出 JSON

# 申請。
access-request-title = 申請使用電子服務
access-request-reason = 原因
access-request-reason-hint = 管理員作出決定時會閱讀（最多 500 字）。
access-request-submit = 提交申請
access-request-sent = 你的申請已送交管理員。
access-request-nothing = 你已獲分配所有電子服務。
access-requests-mine = 我的申請
access-request-asked = 申請時間：{ $at }
access-request-answer = 回覆：{ $reason }
access-request-open = 待回覆
access-request-granted = 已批准
access-request-refused = 已拒絕
access-requests-title = 權限申請
access-requests-open = 待回覆
access-requests-none = 暫無待回覆的申請。
access-requests-who = { $name } 申請使用「{ $eservice }」
access-grant = 批准
access-refuse = 拒絕
access-refuse-reason = 拒絕原因
access-requests-answered = 已回覆
access-requests-answered-at = 由 { $name } 於 { $at } 回覆
access-requests-granted = 申請已批准，並已通知申請人。
access-requests-refused = 申請已拒絕，並已通知申請人。

# 通知。
access-notice-ending = { $login } 使用「{ $eservice }」的權限將於 { $until } 後結束（尚餘 { $days } 日）。
access-notice-proposed = 有管理員建議為 { $login } 分配「{ $eservice }」，須經另一名管理員審批。
access-notice-proposed-link = 前往分配電子服務
access-notice-review-due = 權限覆核已於 { $due } 到期。再過 14 日仍未決定的權限將暫停。
access-notice-review-link = 前往權限覆核
access-notice-requested = { $login } 申請使用「{ $eservice }」。
access-notice-requested-link = 前往權限申請
access-notice-granted = 你申請使用「{ $eservice }」已獲批准。
access-notice-refused = 你申請使用「{ $eservice }」已被拒絕：{ $reason }
access-sms-label = 權限即將結束的通知亦以短訊發送給我
access-sms-hint = 你可使用的電子服務結束前十四日及三日，以短訊發送至你登記的流動電話號碼。
access-sms-save = 儲存
access-sms-saved = 已儲存。
