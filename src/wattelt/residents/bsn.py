"""The Dutch citizen service number (BSN): the 11-proof and masking."""

from __future__ import annotations


def is_valid_bsn(value: str) -> bool:
    """True for nine digits passing the 11-proof (weights 9..2 and -1)."""
    if len(value) != 9 or not value.isdigit() or value == "000000000":
        return False
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    return sum(int(d) * w for d, w in zip(value, weights, strict=True)) % 11 == 0


def mask_bsn(value: str) -> str:
    """Show only the last three digits, as screens and letters do."""
    if not value:
        return ""
    return "*****" + value[-3:] if len(value) == 9 else "*****"
