//! Admin subcommands.

use std::io::BufRead;

use crate::{config::CreateAdminArgs, Settings, StartError};

/// `server create-admin --email ...`: there is never a default admin or a default password.
pub async fn create_admin(settings: Settings, args: CreateAdminArgs) -> Result<(), StartError> {
    let email = auth::Email::parse(&args.email).map_err(|e| StartError::Input(format!("--email: {e}")))?;
    let raw = match std::env::var("ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("Password for {email} (one line on standard input):");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| StartError::Input(format!("reading the password: {e}")))?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let password = auth::Password::parse_new(raw).map_err(|e| StartError::Input(format!("password: {e}")))?;
    let (service, _sessions) = crate::auth_service(&settings).await?;
    let user = service.create_admin(&email, &password).await?;
    println!("admin ready: {} (id {})", user.email, user.id);
    Ok(())
}

/// `server rotate-keys`.
pub async fn rotate_keys(settings: Settings) -> Result<(), StartError> {
    let (service, _sessions) = crate::auth_service(&settings).await?;
    let kid = service.rotate_keys().await.map_err(|e| StartError::Input(format!("rotating keys: {e}")))?;
    println!("new signing key: kid {kid}");
    Ok(())
}
