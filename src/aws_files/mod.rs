//! Reading and editing the AWS config and credentials files.
