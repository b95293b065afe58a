//! The IAM calls `enroll`, `rotate` and `list --devices` need, with a client built like the STS
//! one: explicit long-term keys (or an MFA session: most MFA policies deny key and device changes
//! without one), explicit region and endpoint (`AWS_ENDPOINT_URL_IAM` / `AWS_ENDPOINT_URL`), no
//! retries.

use zeroize::Zeroizing;

use crate::aws::sts::{Error, Target, classify};
use crate::credentials::{LongTermKeys, Session};
use crate::secret::SecretText;

/// The IAM actions `enroll` needs, for the permission hint.
pub const ENROLL_ACTIONS: &str =
    "iam:GetUser, iam:CreateVirtualMFADevice, iam:EnableMFADevice, iam:DeleteVirtualMFADevice";

/// The IAM actions `rotate` needs (with MFA), for the permission hint.
pub const ROTATE_ACTIONS: &str = "iam:ListAccessKeys, iam:CreateAccessKey, iam:DeleteAccessKey";

/// What `enroll --replace` needs besides [`ENROLL_ACTIONS`].
pub const REPLACE_ACTIONS: &str = "iam:ListMFADevices, iam:DeactivateMFADevice";

pub struct Iam {
    client: aws_sdk_iam::Client,
    runtime: tokio::runtime::Runtime,
    endpoint: String,
    /// Where requests went, as the SDK resolved it (partition, FIPS), for messages.
    probe: crate::aws::sts::DateProbe,
}

/// The calling IAM user.
pub struct User {
    pub name: String,
}

/// One access key of a user, as ListAccessKeys shows it.
pub struct AccessKey {
    pub id: String,
    /// Unix seconds.
    pub created: Option<i64>,
}

/// One MFA device enabled for a user (virtual or not), as ListMFADevices shows it.
pub struct MfaDevice {
    pub serial: String,
    pub user: String,
    /// Unix seconds.
    pub enabled: i64,
}

/// A device just created: its serial and seed (base32 text).
pub struct NewDevice {
    pub serial: String,
    pub seed_base32: Zeroizing<String>,
}

impl Iam {
    pub fn new(target: &Target, keys: &LongTermKeys) -> Result<Iam, Error> {
        let probe = crate::aws::sts::DateProbe::default();
        let config = crate::aws::client::iam_config(target, keys).interceptor(probe.clone());
        let runtime = crate::aws::sts::runtime()?;
        Ok(Iam {
            client: aws_sdk_iam::Client::from_conf(config.build()),
            runtime,
            endpoint: target.endpoint_url.clone().unwrap_or_else(|| "IAM".into()),
            probe,
        })
    }

    /// A client signed with an MFA session (GetSessionToken's): IAM takes session credentials
    /// only when they carry MFA, and MFA policies require them for key and device changes.
    pub fn with_session(target: &Target, session: &Session) -> Result<Iam, Error> {
        let probe = crate::aws::sts::DateProbe::default();
        let keys = LongTermKeys {
            access_key_id: session.access_key_id.clone(),
            secret_access_key: session.secret_access_key.clone(),
        };
        let credentials = aws_sdk_iam::config::Credentials::new(
            session.access_key_id.clone(),
            session.secret_access_key.expose_secret().to_string(),
            Some(session.session_token.expose_secret().to_string()),
            None,
            "mfa-mint",
        );
        let config = crate::aws::client::iam_config(target, &keys)
            .credentials_provider(credentials)
            .interceptor(probe.clone());
        let runtime = crate::aws::sts::runtime()?;
        Ok(Iam {
            client: aws_sdk_iam::Client::from_conf(config.build()),
            runtime,
            endpoint: target.endpoint_url.clone().unwrap_or_else(|| "IAM".into()),
            probe,
        })
    }

    /// ListAccessKeys of the caller (`user` None) or of `user`.
    pub fn access_keys(&self, user: Option<&str>) -> Result<Vec<AccessKey>, Error> {
        let out = self
            .runtime
            .block_on(
                self.client
                    .list_access_keys()
                    .set_user_name(user.map(str::to_string))
                    .send(),
            )
            .map_err(|e| classify(e, &self.endpoint()))?;
        Ok(out
            .access_key_metadata
            .into_iter()
            .filter_map(|k| {
                Some(AccessKey {
                    id: k.access_key_id?,
                    created: k.create_date.map(|d| d.secs()),
                })
            })
            .collect())
    }

    /// CreateAccessKey for `user` (None: the caller): the new key pair.
    pub fn create_access_key(&self, user: Option<&str>) -> Result<LongTermKeys, Error> {
        let out = self
            .runtime
            .block_on(
                self.client
                    .create_access_key()
                    .set_user_name(user.map(str::to_string))
                    .send(),
            )
            .map_err(|e| classify(e, &self.endpoint()))?;
        let key = out
            .access_key
            .ok_or_else(|| self.malformed("no AccessKey in CreateAccessKey"))?;
        if key.access_key_id.is_empty() || key.secret_access_key.is_empty() {
            return Err(self.malformed("an empty access key in CreateAccessKey"));
        }
        Ok(LongTermKeys {
            access_key_id: key.access_key_id,
            secret_access_key: SecretText::from_string(key.secret_access_key),
        })
    }

    /// DeleteAccessKey of `user`'s (None: the caller's) key `id`.
    pub fn delete_access_key(&self, user: Option<&str>, id: &str) -> Result<(), Error> {
        self.runtime
            .block_on(
                self.client
                    .delete_access_key()
                    .set_user_name(user.map(str::to_string))
                    .access_key_id(id)
                    .send(),
            )
            .map_err(|e| classify(e, &self.endpoint()))?;
        Ok(())
    }

    /// ListMFADevices of the caller (`user` None) or of `user`.
    pub fn mfa_devices(&self, user: Option<&str>) -> Result<Vec<MfaDevice>, Error> {
        let out = self
            .runtime
            .block_on(
                self.client
                    .list_mfa_devices()
                    .set_user_name(user.map(str::to_string))
                    .send(),
            )
            .map_err(|e| classify(e, &self.endpoint()))?;
        Ok(out
            .mfa_devices
            .into_iter()
            .map(|d| MfaDevice {
                serial: d.serial_number,
                user: d.user_name,
                enabled: d.enable_date.secs(),
            })
            .collect())
    }

    /// DeactivateMFADevice: the device stops being `user`'s (it can then be deleted).
    pub fn deactivate_device(&self, user: &str, serial: &str) -> Result<(), Error> {
        self.runtime
            .block_on(
                self.client
                    .deactivate_mfa_device()
                    .user_name(user)
                    .serial_number(serial)
                    .send(),
            )
            .map_err(|e| classify(e, &self.endpoint()))?;
        Ok(())
    }

    /// GetUser without a name: the owner of the keys.
    pub fn caller(&self) -> Result<User, Error> {
        let out = self
            .runtime
            .block_on(self.client.get_user().send())
            .map_err(|e| classify(e, &self.endpoint()))?;
        let user = out
            .user
            .ok_or_else(|| self.malformed("no User in GetUser"))?;
        Ok(User {
            name: user.user_name,
        })
    }

    pub fn create_device(&self, name: &str) -> Result<NewDevice, Error> {
        let out = self
            .runtime
            .block_on(
                self.client
                    .create_virtual_mfa_device()
                    .virtual_mfa_device_name(name)
                    .send(),
            )
            .map_err(|e| classify(e, &self.endpoint()))?;
        let device = out
            .virtual_mfa_device
            .ok_or_else(|| self.malformed("no VirtualMFADevice"))?;
        // The SDK already base64-decoded the blob: its bytes are the base32 text.
        let seed = device
            .base32_string_seed
            .ok_or_else(|| self.malformed("no Base32StringSeed"))?
            .into_inner();
        let seed_base32 = Zeroizing::new(
            String::from_utf8(seed).map_err(|_| self.malformed("the seed is not text"))?,
        );
        Ok(NewDevice {
            serial: device.serial_number,
            seed_base32,
        })
    }

    pub fn enable_device(
        &self,
        user: &str,
        serial: &str,
        code1: &str,
        code2: &str,
    ) -> Result<(), Error> {
        self.runtime
            .block_on(
                self.client
                    .enable_mfa_device()
                    .user_name(user)
                    .serial_number(serial)
                    .authentication_code1(code1)
                    .authentication_code2(code2)
                    .send(),
            )
            .map_err(|e| classify(e, &self.endpoint()))?;
        Ok(())
    }

    pub fn delete_device(&self, serial: &str) -> Result<(), Error> {
        self.runtime
            .block_on(
                self.client
                    .delete_virtual_mfa_device()
                    .serial_number(serial)
                    .send(),
            )
            .map_err(|e| classify(e, &self.endpoint()))?;
        Ok(())
    }

    fn endpoint(&self) -> String {
        self.probe
            .endpoint()
            .unwrap_or_else(|| self.endpoint.clone())
    }

    fn malformed(&self, detail: &str) -> Error {
        Error::Malformed {
            endpoint: self.endpoint(),
            detail: detail.into(),
        }
    }
}
