//! ④ Talking to AWS: STS GetSessionToken, IAM for enrollment, MFA serial ARNs, and the one
//! client configuration they share (endpoints, trust, proxies).

pub(crate) mod client;
pub(crate) mod credential_process;
pub(crate) mod federation;
pub(crate) mod iam;
pub(crate) mod proxy;
pub(crate) mod serial;
pub(crate) mod sts;
pub(crate) mod trust;
