//! The tunable numbers of the rules, with the defaults the requirements give.

use crate::credentials::PasswordPolicy;

#[derive(Debug, Clone)]
pub struct Policy {
    /// R9: 72 h by default; may be set as low as NIST's 10 minutes for SMS.
    pub activation_code_ttl_secs: i64,
    pub reset_code_ttl_secs: i64,
    /// R9: a code is void after this many wrong tries.
    pub code_max_failures: i64,
    /// R14.
    pub session_idle_secs: i64,
    pub session_absolute_secs: i64,
    pub password: PasswordPolicy,
    /// R13: failures allowed before delays start, and the consecutive failures that disable
    /// the password until a reset.
    pub login_free_failures: i64,
    pub login_lock_failures: i64,
    pub login_max_delay_secs: i64,
    /// R13: failures from one source address before its delays start, the longest such
    /// delay, and the failures (with no quiet `source_window_secs` between) that shut it out.
    pub source_free_failures: i64,
    pub source_max_delay_secs: i64,
    pub source_max_failures: i64,
    pub source_window_secs: i64,
    /// R12: "need help" requests from one source address per window.
    pub help_max_per_source: i64,
    /// R7: progress queries from one source address that found nothing, per window; then
    /// the source waits (guessing application numbers is refused).
    pub progress_max_misses_per_source: i64,
    /// R12: activation codes resent to one login per window.
    pub resend_max_per_login: i64,
    pub help_window_secs: i64,
    /// R8: administrators at once.
    pub max_admins: usize,
    /// OpenID Connect token lifetimes; a signing key stays published `id_token_ttl_secs`
    /// after it stops signing.
    pub id_token_ttl_secs: i64,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    /// R21: how long a second-factor step-up lasts within a session.
    pub step_up_ttl_secs: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            activation_code_ttl_secs: 72 * 3600,
            reset_code_ttl_secs: 30 * 60,
            code_max_failures: 5,
            session_idle_secs: 30 * 60,
            session_absolute_secs: 12 * 3600,
            password: PasswordPolicy::default(),
            login_free_failures: 5,
            login_lock_failures: 100,
            login_max_delay_secs: 15 * 60,
            source_free_failures: 20,
            source_max_delay_secs: 60,
            source_max_failures: 100,
            source_window_secs: 15 * 60,
            help_max_per_source: 30,
            progress_max_misses_per_source: 30,
            resend_max_per_login: 5,
            help_window_secs: 3600,
            max_admins: 3,
            id_token_ttl_secs: 300,
            access_token_ttl_secs: 300,
            refresh_token_ttl_secs: 8 * 3600,
            step_up_ttl_secs: 15 * 60,
        }
    }
}

impl Policy {
    /// R9's lower bound: no configuration may make codes live shorter than 10 minutes.
    pub const MIN_CODE_TTL_SECS: i64 = 600;
}
