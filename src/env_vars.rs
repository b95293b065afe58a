//! Every environment variable mfa-mint reads, one documented constant each.
