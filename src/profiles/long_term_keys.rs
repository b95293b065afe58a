//! `keys import|export`: move a source profile's long-term keys between the credentials file and
//! the keyring, each step checked before the next.

use crate::aws_files::Document;
use crate::config::Context;
use crate::config::{self, keys};
use crate::error::Error;
use crate::vault::Seeds;

/// Moves `[SOURCE]`'s keys into the keyring, then removes them from the file. The file is only
/// changed after the keyring entry was written and read back identical.
pub fn import(ctx: &Context, source: &str, seeds: &mut Seeds) -> Result<String, Error> {
    config::check_name(source)?;
    let files = ctx.files()?;
    config::check_known(files, source)?;
    let found = config::source_keys(files, source)?;
    seeds.save_keys(source, &found)?;
    let back = seeds.load_keys(source)?;
    if back.access_key_id != found.access_key_id
        || back.secret_access_key.expose_secret() != found.secret_access_key.expose_secret()
    {
        return Err(Error::Keyring(crate::vault::Error::Failed {
            backend: seeds.backend()?,
            detail: "the keys read back differ from what was written; the file was not changed"
                .into(),
        }));
    }
    crate::config::edit::config_file(files, |doc: &mut Document| {
        doc.set(&doc.config_section_for(source), keys::KEYS_IN, "keyring")?;
        Ok::<(), Error>(())
    })?;
    crate::config::edit::credentials_file(files, |doc: &mut Document| {
        doc.remove_key(source, keys::ACCESS_KEY_ID);
        doc.remove_key(source, keys::SECRET_ACCESS_KEY);
        Ok::<(), Error>(())
    })?;
    Ok(crate::secret::mask(&found.access_key_id))
}

/// Puts the keys back into `[SOURCE]` of the credentials file and deletes the keyring entry.
/// `Ok(None)` when they are there already and the keyring holds none (exported before).
pub fn export(ctx: &Context, source: &str, seeds: &mut Seeds) -> Result<Option<String>, Error> {
    config::check_name(source)?;
    let files = ctx.files()?;
    config::check_known(files, source)?;
    let found = match seeds.load_keys(source) {
        Ok(found) => found,
        // Exported before: the keys are in the file already and the keyring holds none.
        Err(crate::vault::Error::NoKeysInKeyring { .. })
            if !config::keys_in_keyring(files, source)
                && files
                    .credentials_value(source, keys::ACCESS_KEY_ID)
                    .is_some()
                && files
                    .credentials_value(source, keys::SECRET_ACCESS_KEY)
                    .is_some() =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    crate::config::edit::credentials_file(files, |doc: &mut Document| {
        doc.set(source, keys::ACCESS_KEY_ID, &found.access_key_id)?;
        doc.set(
            source,
            keys::SECRET_ACCESS_KEY,
            found.secret_access_key.expose_secret(),
        )?;
        Ok::<(), Error>(())
    })?;
    crate::config::edit::config_file(files, |doc: &mut Document| {
        doc.remove_key(&doc.config_section_for(source), keys::KEYS_IN);
        Ok::<(), Error>(())
    })?;
    seeds.delete_keys(source)?;
    Ok(Some(crate::secret::mask(&found.access_key_id)))
}
