//! ④ Talking to AWS: STS GetSessionToken, IAM for enrollment, MFA serial ARNs, and the one
//! client configuration they share (endpoints, trust, proxies).

pub(crate) mod answer;
pub(crate) mod client;
pub(crate) mod federation;
pub(crate) mod iam;
pub(crate) mod proxy;
pub(crate) mod sts;
pub(crate) mod trust;
