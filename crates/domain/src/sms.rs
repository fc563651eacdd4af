//! Text messages (R6, R9, R12): what each template says, and the outbox entry that carries
//! it. The message is sealed in the outbox (it holds a code) and written in the same
//! transaction as the change that causes it, so no code is lost and none is sent for a
//! change that did not happen.

use crate::clock::Timestamp;
use crate::crypto::{Purpose, Vault};
use crate::identity::MacauMobile;
use crate::store::{StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsTemplate {
    ActivationCode,
    UsernameReminder,
    PasswordResetCode,
    /// R29: an assignment ends soon (sent to logins that asked for SMS notices).
    AccessEnding,
    /// R29, R36: a machine credential ends soon (sent to administrators who asked for SMS notices).
    MachineCredentialEnding,
}

impl SmsTemplate {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsTemplate::ActivationCode => "activation_code",
            SmsTemplate::UsernameReminder => "username_reminder",
            SmsTemplate::PasswordResetCode => "password_reset_code",
            SmsTemplate::AccessEnding => "access_ending",
            SmsTemplate::MachineCredentialEnding => "machine_credential_ending",
        }
    }
}

/// A message as the sink receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsMessage {
    pub to: String,
    pub template: String,
    pub params: Vec<(String, String)>,
    pub body: String,
}

const FIELD: char = '\u{1f}';
const PAIR: char = '\u{1e}';

impl SmsMessage {
    pub fn new(to: &MacauMobile, template: SmsTemplate, params: Vec<(&str, String)>) -> Self {
        let params: Vec<(String, String)> = params.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let body = render(template, &params);
        SmsMessage { to: to.as_str().to_string(), template: template.as_str().to_string(), params, body }
    }

    fn encode(&self) -> String {
        let params: Vec<String> = self.params.iter().map(|(k, v)| format!("{k}{PAIR}{v}")).collect();
        [self.to.as_str(), self.template.as_str(), self.body.as_str(), &params.join(&FIELD.to_string())]
            .join(&FIELD.to_string())
    }

    fn decode(s: &str) -> Option<Self> {
        let mut it = s.split(FIELD);
        let to = it.next()?.to_string();
        let template = it.next()?.to_string();
        let body = it.next()?.to_string();
        let params = it
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once(PAIR).map(|(k, v)| (k.to_string(), v.to_string())))
            .collect::<Option<Vec<_>>>()?;
        Some(SmsMessage { to, template, params, body })
    }

    pub fn seal(&self, vault: &Vault) -> Vec<u8> {
        vault.seal(Purpose::SmsPayload, &self.encode())
    }

    pub fn open(vault: &Vault, sealed: &[u8]) -> Option<Self> {
        SmsMessage::decode(&vault.open(Purpose::SmsPayload, sealed).ok()?)
    }

    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn get<'a>(params: &'a [(String, String)], key: &str) -> &'a str {
    params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// One short trilingual text: the person may read any of the three languages.
fn render(template: SmsTemplate, p: &[(String, String)]) -> String {
    let code = get(p, "code");
    let entity = get(p, "entity_number");
    let hours = get(p, "valid_hours");
    match template {
        SmsTemplate::ActivationCode => {
            let minutes = get(p, "valid_minutes");
            let (zh, latin) = if minutes.is_empty() {
                (format!("{hours}小時"), format!("{hours} h"))
            } else {
                (format!("{minutes}分鐘"), format!("{minutes} min"))
            };
            // A message delivered late (the gateway was down) still says when its code ends.
            let until = get(p, "valid_until");
            format!(
                "[一戶通] 啟動碼 {code}（實體編號 {entity}），{zh}內有效，至澳門時間 {until}。Código de activação {code}, válido {latin}, até {until} (hora de Macau). Activation code {code}, valid {latin}, until {until} Macau time."
            )
        }
        SmsTemplate::UsernameReminder => {
            let user = get(p, "username");
            format!("[一戶通] 實體編號 {entity} 的用戶名稱：{user}。Nome de utilizador: {user}. Username: {user}.")
        }
        SmsTemplate::PasswordResetCode => {
            let until = get(p, "valid_until");
            format!(
                "[一戶通] 重設密碼驗證碼 {code}（實體編號 {entity}），至澳門時間 {until}有效。Código {code}, válido até {until} (hora de Macau). Password reset code {code}, valid until {until} Macau time."
            )
        }
        SmsTemplate::AccessEnding => {
            let (eservice, until, login) = (get(p, "eservice"), get(p, "until"), get(p, "login"));
            format!(
                "[一戶通] 實體編號 {entity}：{login} 使用電子服務 {eservice} 的權限於 {until}（澳門時間）後結束。{login}: o acesso a {eservice} termina após {until} (hora de Macau). {login}: access to {eservice} ends after {until} Macau time."
            )
        }
        SmsTemplate::MachineCredentialEnding => {
            let (name, until) = (get(p, "name"), get(p, "until"));
            format!(
                "[一戶通] 實體編號 {entity}：機器憑證 {name} 於 {until}（澳門時間）後結束。A credencial de máquina {name} termina após {until} (hora de Macau). Machine credential {name} ends after {until} Macau time."
            )
        }
    }
}

/// Puts the message in the outbox inside the caller's transaction.
pub async fn enqueue(tx: &mut dyn Tx, vault: &Vault, at: Timestamp, msg: &SmsMessage) -> StoreResult<i64> {
    tx.insert_sms(&msg.seal(vault), &recipient_key(vault, &msg.to), at).await
}

/// What orders messages to one number: the number's lookup hash, as the logins keep it.
pub fn recipient_key(vault: &Vault, to: &str) -> String {
    vault.lookup(Purpose::Mobile, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activation_message(valid_until: &str) -> SmsMessage {
        let to = MacauMobile::parse("m", "66123456").unwrap();
        SmsMessage::new(
            &to,
            SmsTemplate::ActivationCode,
            vec![
                ("code", "ABCDE-FGHJK".into()),
                ("entity_number", "10000010".into()),
                ("valid_hours", "72".into()),
                ("valid_until", valid_until.into()),
            ],
        )
    }

    #[test]
    fn r9_an_activation_message_says_until_when_its_code_is_valid_in_macau_time() {
        // 2026-11-27 15:59:59.9 UTC is 23:59:59.9 in Macau; the minute is rounded down.
        let expires = Timestamp(1_795_795_199_900_000);
        assert_eq!(expires.macau_minute(), "2026-11-27 23:59");
        let m = activation_message(&expires.macau_minute());
        assert!(m.body.contains("至澳門時間 2026-11-27 23:59"), "{}", m.body);
        assert!(m.body.contains("até 2026-11-27 23:59"), "{}", m.body);
        assert!(m.body.contains("until 2026-11-27 23:59 Macau time"), "{}", m.body);
    }

    #[test]
    fn messages_survive_sealing() {
        let v = Vault::new(&[1u8; 32]).unwrap();
        let m = activation_message("2026-11-30 14:00");
        assert!(m.body.contains("ABCDE-FGHJK"));
        let back = SmsMessage::open(&v, &m.seal(&v)).unwrap();
        assert_eq!(back, m);
    }
}
