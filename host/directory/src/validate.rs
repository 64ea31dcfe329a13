//! Input rules shared by the operations: E.164 numbers, e-mail addresses, IANA time zones,
//! names, extensions, skills. Each check returns the normalised value or an
//! [`DirectoryError::Invalid`] with a code and a hint.

use crate::error::{DirectoryError, Result};

/// Longest name (account, company, agent, department, token label), in characters.
pub const MAX_NAME: usize = 200;
/// Longest after-call wrap-up, seconds.
pub const MAX_WRAP_UP_SECS: u32 = 3600;
/// Most skills per department seat.
pub const MAX_SKILLS: usize = 32;
/// Most numbers a telephony token may be bound to.
pub const MAX_TOKEN_NUMBERS: usize = 1000;

/// An E.164 number: `+`, a non-zero country digit, 7 to 15 digits in all, nothing else.
pub fn e164(number: &str) -> Result<String> {
    let digits = number.strip_prefix('+').unwrap_or("");
    let ok = (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(number.to_owned())
    } else {
        Err(DirectoryError::invalid(
            "invalid_number",
            format!("\"{number}\" is not an E.164 number"),
            "write '+', the country code and the number, digits only, e.g. +919876543210",
        ))
    }
}

/// An e-mail address, lower-cased.
pub fn email(address: &str) -> Result<String> {
    let lower = address.trim().to_lowercase();
    let ok = match lower.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && lower.len() <= 254
                && !lower.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(lower)
    } else {
        Err(DirectoryError::invalid(
            "invalid_email",
            format!("\"{address}\" is not an e-mail address"),
            "write it as name@example.com",
        ))
    }
}

/// An IANA time zone name known to the bundled tz database.
pub fn time_zone(name: &str) -> Result<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(name).map_err(|_| {
        DirectoryError::invalid(
            "invalid_time_zone",
            format!("\"{name}\" is not an IANA time zone"),
            "use a name from the IANA tz database, such as Asia/Kolkata or America/New_York",
        )
    })
}

/// A display name: trimmed, 1 to [`MAX_NAME`] characters.
pub fn name(field: &'static str, text: &str) -> Result<String> {
    let trimmed = text.trim();
    if trimmed.is_empty()
        || trimmed.chars().count() > MAX_NAME
        || trimmed.chars().any(char::is_control)
    {
        return Err(DirectoryError::invalid(
            "invalid_name",
            format!("{field} must be 1 to {MAX_NAME} printable characters"),
            format!("give a non-empty {field}"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// A SIP domain: a host name of dot-separated labels (letters, digits, `-`; each 1 to 63
/// characters, not starting or ending with `-`), at most 253 characters. Returned in lower
/// case (SIP compares host names case-insensitively).
pub fn sip_domain(domain: &str) -> Result<String> {
    let lower = domain.to_ascii_lowercase();
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if (1..=253).contains(&lower.len()) && lower.split('.').all(label_ok) {
        return Ok(lower);
    }
    Err(DirectoryError::invalid(
        "invalid_sip_domain",
        format!("sip_domain \"{domain}\" is not a host name"),
        "use the domain your agents' phones register in, e.g. \"acme.sip.example\" (letters, digits, '-' and dots)",
    ))
}

/// An extension: 1 to 10 digits.
pub fn extension(ext: &str) -> Result<String> {
    if (1..=10).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_digit()) {
        Ok(ext.to_owned())
    } else {
        Err(DirectoryError::invalid(
            "invalid_extension",
            format!("extension \"{ext}\" must be 1 to 10 digits"),
            "use digits only, e.g. \"221\"; leave it out to get the next free one",
        ))
    }
}

/// After-call wrap-up seconds, at most [`MAX_WRAP_UP_SECS`].
pub fn wrap_up(secs: u32) -> Result<u32> {
    if secs <= MAX_WRAP_UP_SECS {
        Ok(secs)
    } else {
        Err(DirectoryError::invalid(
            "invalid_wrap_up",
            format!("wrap_up_secs {secs} is above {MAX_WRAP_UP_SECS}"),
            "use 0 to 3600 seconds",
        ))
    }
}

/// A department seat: tier at least 1, at most [`MAX_SKILLS`] skills of 1 to 64 characters.
pub fn seat(tier: u8, skills: &[String]) -> Result<()> {
    if tier == 0 {
        return Err(DirectoryError::invalid(
            "invalid_tier",
            "tier must be at least 1",
            "tier 1 is the first line; use 2, 3, ... for later lines",
        ));
    }
    if skills.len() > MAX_SKILLS
        || skills
            .iter()
            .any(|s| s.trim().is_empty() || s.chars().count() > 64)
    {
        return Err(DirectoryError::invalid(
            "invalid_skills",
            format!("at most {MAX_SKILLS} skills, each 1 to 64 characters"),
            "give skills as short words, e.g. [\"billing\", \"hindi\"]",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_accepts_only_plus_and_digits() {
        assert!(e164("+919876543210").is_ok());
        for bad in [
            "919876543210",
            "+0123456789",
            "+91 98765 43210",
            "+12",
            "+1234567890123456",
            "+",
        ] {
            assert_eq!(e164(bad).unwrap_err().code(), "invalid_number", "{bad}");
        }
    }

    #[test]
    fn email_is_lower_cased_and_checked() {
        assert_eq!(email(" Asha@Example.COM ").unwrap(), "asha@example.com");
        for bad in [
            "asha",
            "asha@example",
            "@example.com",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn zones_come_from_the_bundled_database() {
        assert!(time_zone("Asia/Kolkata").is_ok());
        assert_eq!(
            time_zone("Asia/Bombay2").unwrap_err().code(),
            "invalid_time_zone"
        );
    }
}
