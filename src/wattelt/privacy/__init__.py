"""The resident's AVG (GDPR) rights: access (inzage), erasure and retention."""
