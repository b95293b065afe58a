//! `mfa-mint keys import|export`: move a source profile's long-term keys between the credentials
//! file and the keyring.

use crate::cli::KeysCommand;
use crate::config::Context;
use crate::error::Error;
use crate::exit;
use crate::output;
use crate::vault::Seeds;

pub(crate) fn run(ctx: &mut Context, cmd: KeysCommand, seeds: &mut Seeds) -> Result<u8, Error> {
    match cmd {
        KeysCommand::Import { source } => {
            let key = crate::profiles::long_term_keys::import(ctx, &source, seeds)?;
            output::status(&format!(
                "Moved the long-term keys of [{source}] ({key}) into the {} keyring and removed them from the credentials file.",
                seeds.backend()?
            ));
        }
        KeysCommand::Export { source } => {
            match crate::profiles::long_term_keys::export(ctx, &source, seeds)? {
                Some(key) => output::status(&format!(
                    "Put the long-term keys of [{source}] ({key}) back into the credentials file and removed them from the keyring."
                )),
                None => output::status(&format!(
                    "The long-term keys of [{source}] are in the credentials file already, and the keyring holds none: nothing to do."
                )),
            }
        }
    }
    Ok(exit::OK)
}
