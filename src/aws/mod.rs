//! ④ Talking to AWS: STS GetSessionToken, IAM for enrollment, and MFA serial ARNs.

pub(crate) mod credential_process;
pub(crate) mod iam;
pub(crate) mod serial;
pub(crate) mod sts;
