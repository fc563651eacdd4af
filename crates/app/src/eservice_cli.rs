//! `entity-account eservice …` and `entity-account oidc …`: the catalogue and the
//! provider's keys from the server's own console. Output is JSON, for scripts.

use std::process::ExitCode;

use domain::eservice_form::EServiceInput;
use domain::oidc::clients::{ClientInput, Registrar};
use domain::services::Ctx;
use serde_json::json;

use crate::cli::{Common, EserviceAddArgs, EserviceCommand, OidcCommand};
use crate::wiring;

fn refused(e: domain::Error) -> anyhow::Result<ExitCode> {
    match e {
        domain::Error::Validation(errors) => {
            for e in errors {
                eprintln!("{}: {}", e.field, e.message);
            }
            Ok(ExitCode::from(2))
        }
        domain::Error::Conflict { message, .. } => {
            eprintln!("{message}");
            Ok(ExitCode::from(2))
        }
        domain::Error::NotFound => {
            eprintln!("no such e-service client");
            Ok(ExitCode::from(2))
        }
        e => Err(e.into()),
    }
}

pub async fn eservice(common: &Common, command: EserviceCommand) -> anyhow::Result<ExitCode> {
    let w = wiring::build(common, domain::config::Policy::default()).await?;
    let ctx = Ctx::new("console");
    match command {
        EserviceCommand::Add(a) => {
            let EserviceAddArgs {
                code,
                name_zh,
                name_pt,
                name_en,
                department,
                assurance,
                requires_registration,
                four_eyes,
                allows_intermediaries,
                review_days,
                redirect_uris,
                post_logout_redirect_uris,
                backchannel_logout_uri,
                jwks_file,
            } = *a;
            let jwks = match jwks_file {
                None => None,
                Some(path) => {
                    let text = std::fs::read_to_string(&path)?;
                    let value: serde_json::Value = serde_json::from_str(&text)?;
                    match server::oidc::jose::check_client_jwks(&value) {
                        Ok(j) => Some(j),
                        Err(why) => {
                            eprintln!("--jwks-file: {why}");
                            return Ok(ExitCode::from(2));
                        }
                    }
                }
            };
            let input = EServiceInput {
                code,
                name_zh,
                name_pt,
                name_en,
                department,
                assurance,
                requires_registration,
                four_eyes,
                review_days,
                allows_intermediaries,
            };
            let client = ClientInput { redirect_uris, post_logout_redirect_uris, backchannel_logout_uri, jwks };
            match w.services.register_eservice(Registrar::Console, &ctx, input, Some(client)).await {
                Ok(r) => {
                    let (c, secret) = r.client.expect("registered with a client");
                    println!(
                        "{}",
                        json!({"code": r.eservice.code, "department": r.eservice.department,
                               "assurance": r.eservice.assurance.as_str(), "client_id": c.client_id,
                               "client_secret": secret, "token_endpoint_auth_method": c.auth.as_str(),
                               "redirect_uris": c.redirect_uris})
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e),
            }
        }
        EserviceCommand::List => {
            for (e, c) in w.services.list_clients().await? {
                println!(
                    "{}",
                    json!({"code": e.code, "names": {"zh": e.name_zh, "pt": e.name_pt, "en": e.name_en},
                           "department": e.department, "assurance": e.assurance.as_str(),
                           "requires_registration": e.requires_registration,
                           "client_id": c.as_ref().map(|c| c.client_id.clone()),
                           "redirect_uris": c.as_ref().map(|c| c.redirect_uris.clone()),
                           "post_logout_redirect_uris": c.as_ref().map(|c| c.post_logout_redirect_uris.clone()),
                           "backchannel_logout_uri": c.as_ref().and_then(|c| c.backchannel_logout_uri.clone())})
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        EserviceCommand::RotateSecret { code } => {
            match w.services.rotate_client_secret(Registrar::Console, &ctx, &code).await {
                Ok(secret) => {
                    println!("{}", json!({"client_id": code, "client_secret": secret}));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e),
            }
        }
    }
}

pub async fn oidc(common: &Common, command: OidcCommand) -> anyhow::Result<ExitCode> {
    let w = wiring::build(common, domain::config::Policy::default()).await?;
    match command {
        OidcCommand::RotateKey => {
            let kid = w.services.rotate_signing_key(Registrar::Console, &Ctx::new("console")).await?;
            println!("{kid}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
