//! MFA device serial numbers, `arn:<partition>:iam::<account>:mfa/<path/name>`: parsing and
//! the masked form text output shows (JSON carries the full ARN).

/// A validated virtual MFA device ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serial {
    pub arn: String,
    pub partition: String,
    pub account: String,
    /// The device name (with its path, if any).
    pub name: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("{value:?} is a user ARN, not an MFA device ARN")]
    UserArn { value: String, suggestion: String },
    #[error("{value:?} is not an MFA device ARN")]
    NotAnArn { value: String },
    #[error("{value:?} has an unknown AWS partition {partition:?}")]
    Partition { value: String, partition: String },
    #[error("{value:?} must name IAM (arn:aws:iam::…), not {service:?}")]
    Service { value: String, service: String },
    #[error("{value:?} has account {account:?}; an AWS account ID is exactly 12 digits")]
    Account { value: String, account: String },
    #[error("{value:?} names a {kind:?} resource; virtual MFA devices are `mfa/NAME`")]
    Resource { value: String, kind: String },
    #[error("{value:?} has an invalid device name")]
    Name { value: String },
}

impl Error {
    pub fn hint(&self) -> String {
        match self {
            Error::UserArn { suggestion, .. } => format!(
                "use the device ARN, usually {suggestion} (IAM console: Security credentials > Multi-factor authentication, or `aws iam list-mfa-devices`)"
            ),
            Error::Name { .. } => {
                "device names use letters, digits and + = , . @ _ - (and / for a path)".into()
            }
            _ => "the serial looks like arn:aws:iam::123456789012:mfa/alice (see `aws iam list-mfa-devices`)".into(),
        }
    }
}

const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Validates an MFA serial ARN (surrounding whitespace ignored).
pub fn parse(input: &str) -> Result<Serial, Error> {
    let value = input.trim().to_string();
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return Err(Error::NotAnArn { value });
    }
    let (partition, service, region, account, resource) =
        (parts[1], parts[2], parts[3], parts[4], parts[5]);
    if !PARTITIONS.contains(&partition) {
        return Err(Error::Partition {
            partition: partition.to_string(),
            value,
        });
    }
    if service != "iam" || !region.is_empty() {
        return Err(Error::Service {
            service: format!("{service}:{region}"),
            value,
        });
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Account {
            account: account.to_string(),
            value,
        });
    }
    let (kind, name) = resource.split_once('/').unwrap_or((resource, ""));
    if kind == "user" {
        let user = name.rsplit('/').next().unwrap_or(name);
        let suggestion = format!("arn:{partition}:iam::{account}:mfa/{user}");
        return Err(Error::UserArn { value, suggestion });
    }
    if kind != "mfa" {
        return Err(Error::Resource {
            kind: kind.to_string(),
            value,
        });
    }
    let valid_char = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c);
    if name.is_empty()
        || name.len() > 512
        || name.starts_with('/')
        || name.ends_with('/')
        || !name.chars().all(valid_char)
    {
        return Err(Error::Name { value });
    }
    Ok(Serial {
        partition: partition.to_string(),
        account: account.to_string(),
        name: name.to_string(),
        arn: value,
    })
}

/// Shows the account id masked to its last 4 digits: `arn:aws:iam::********9012:mfa/alice`.
pub fn mask_serial(serial: &str) -> String {
    match parse(serial) {
        Ok(s) => format!(
            "arn:{}:iam::{}:mfa/{}",
            s.partition,
            crate::secret::mask(&s.account),
            s.name
        ),
        Err(_) => crate::secret::mask(serial),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_device_arns_in_every_partition() {
        for arn in [
            "arn:aws:iam::123456789012:mfa/alice",
            "arn:aws-cn:iam::123456789012:mfa/alice",
            "arn:aws-us-gov:iam::123456789012:mfa/team/alice.laptop@x",
        ] {
            assert_eq!(parse(arn).unwrap().arn, arn);
        }
        let s = parse(" arn:aws:iam::123456789012:mfa/alice\n").unwrap();
        assert_eq!(
            (s.account.as_str(), s.name.as_str()),
            ("123456789012", "alice")
        );
    }

    #[test]
    fn user_arn_gets_the_device_arn_as_hint() {
        let e = parse("arn:aws:iam::123456789012:user/alice").unwrap_err();
        assert!(
            e.hint().contains("arn:aws:iam::123456789012:mfa/alice"),
            "{}",
            e.hint()
        );
    }

    #[test]
    fn rejects_malformed_serials() {
        for (bad, want) in [
            ("", "NotAnArn"),
            ("123456", "NotAnArn"),
            ("GAHT12345678", "NotAnArn"),
            ("arn:aws:iam::12345678901:mfa/alice", "Account"),
            ("arn:aws:iam::1234567890123:mfa/alice", "Account"),
            ("arn:aws:iam::12345678901a:mfa/alice", "Account"),
            ("arn:aws:sts::123456789012:mfa/alice", "Service"),
            ("arn:aws:iam:us-east-1:123456789012:mfa/alice", "Service"),
            ("arn:azure:iam::123456789012:mfa/alice", "Partition"),
            ("arn:aws:iam::123456789012:role/alice", "Resource"),
            ("arn:aws:iam::123456789012:mfa/", "Name"),
            ("arn:aws:iam::123456789012:mfa/al ice", "Name"),
        ] {
            let e = parse(bad).unwrap_err();
            assert!(format!("{e:?}").starts_with(want), "{bad}: {e:?}");
        }
    }

    #[test]
    fn serials_show_only_the_last_four_digits_of_the_account() {
        assert_eq!(
            mask_serial("arn:aws:iam::123456789012:mfa/alice"),
            "arn:aws:iam::****9012:mfa/alice"
        );
    }
}
