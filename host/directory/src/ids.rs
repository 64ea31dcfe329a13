//! Typed ids: every kind of record has an id type of its own, so that a company's id cannot be
//! passed where an agent's is wanted. On the wire and on disk an id is its number
//! (`serde(transparent)`); parsed from text ([`FromStr`](std::str::FromStr)) only as a
//! canonical decimal: digits, no sign, no leading zero (`0` itself is canonical), so `"03"`
//! and `"+3"` are refused rather than read as 3.

/// Why a text is not an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not an id: ids are canonical decimals (digits only, no sign, no leading zero)"
)]
pub struct IdError {
    /// The refused text.
    pub text: String,
}

/// Parses a canonical decimal (`0`, or digits not starting with `0`) that fits in a `u64`.
pub fn parse_canonical(text: &str) -> Result<u64, IdError> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    match text.parse() {
        Ok(n) if canonical => Ok(n),
        _ => Err(IdError {
            text: text.to_owned(),
        }),
    }
}

/// Declares an id type over a `u64`.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default,
            serde::Serialize, serde::Deserialize,
        )]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = u64))]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The number.
            pub const fn get(self) -> u64 {
                self.0
            }

            /// Its bytes in big-endian order, the form record keys hold (they sort as ids).
            pub const fn to_be_bytes(self) -> [u8; 8] {
                self.0.to_be_bytes()
            }
        }

        impl From<u64> for $name {
            fn from(raw: u64) -> Self {
                Self(raw)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;

            fn from_str(text: &str) -> Result<Self, IdError> {
                parse_canonical(text).map(Self)
            }
        }
    };
}

id_type!(
    /// A main account (a BPO manager's), which owns companies.
    AccountId
);
id_type!(
    /// A company (tenant).
    CompanyId
);
id_type!(
    /// An agent: one person across all its companies.
    AgentId
);
id_type!(
    /// A department inside a company.
    DepartmentId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_decimals_are_ids() {
        assert_eq!("0".parse(), Ok(CompanyId(0)));
        assert_eq!("42".parse(), Ok(AgentId(42)));
        assert_eq!("18446744073709551615".parse(), Ok(DepartmentId(u64::MAX)));
        for bad in [
            "",
            "03",
            "+3",
            "-3",
            " 3",
            "3 ",
            "3a",
            "18446744073709551616",
        ] {
            assert!(bad.parse::<CompanyId>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn an_id_is_its_number_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&CompanyId(7)).ok(),
            Some("7".to_owned())
        );
        assert_eq!(serde_json::from_str::<AgentId>("9").ok(), Some(AgentId(9)));
        assert_eq!(AgentId(9).to_string(), "9");
    }
}
