//! The IAM calls `enroll` needs, with a client built like the STS one: explicit long-term keys,
//! explicit region and endpoint (`AWS_ENDPOINT_URL_IAM` / `AWS_ENDPOINT_URL`), no retries.

use zeroize::Zeroizing;

use crate::aws::sts::{Error, Target, classify};
use crate::credentials::LongTermKeys;

/// The IAM actions `enroll` needs, for the permission hint.
pub const ENROLL_ACTIONS: &str =
    "iam:GetUser, iam:CreateVirtualMFADevice, iam:EnableMFADevice, iam:DeleteVirtualMFADevice";

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
