//! The canonical-decimal check of integer path parameters: the target type is deserialized
//! once more from the raw parameters by a small deserializer that refuses an integer written
//! with a sign or a leading zero (which `str::parse` accepts: `"+3"` and `"03"` are 3). Only the
//! parameters the type reads as integers are checked, so an E.164 number keeps its `+`.

use serde::Deserializer;
use serde::de::value::{Error, StrDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

/// Checks that every parameter `T` reads as an integer is a canonical decimal; the error
/// message names the parameter.
pub(super) fn check<T: DeserializeOwned>(params: &[(&str, &str)]) -> Result<(), Error> {
    T::deserialize(Params(params)).map(drop)
}

/// Digits only, no leading zero unless the number is `0`.
fn canonical_unsigned(text: &str) -> bool {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits && (text == "0" || !text.starts_with('0'))
}

/// A canonical unsigned number, or `-` and a canonical non-zero one.
fn canonical_signed(text: &str) -> bool {
    match text.strip_prefix('-') {
        Some(rest) => rest != "0" && canonical_unsigned(rest),
        None => canonical_unsigned(text),
    }
}

/// All the parameters of a path: a tuple, a struct, or (one parameter) a single value.
struct Params<'a>(&'a [(&'a str, &'a str)]);

impl<'a> Params<'a> {
    fn single(&self) -> Result<Value<'a>, Error> {
        match self.0 {
            [(name, text)] => Ok(Value { name, text }),
            other => Err(de::Error::custom(format!(
                "expected one path parameter, found {}",
                other.len()
            ))),
        }
    }
}

macro_rules! forward_to_single {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.single()?.$method(visitor)
        })*
    };
}

impl<'de, 'a> Deserializer<'de> for Params<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.len() {
            1 => self.single()?.deserialize_any(visitor),
            _ => visitor.visit_map(Fields {
                params: self.0,
                next: 0,
            }),
        }
    }

    forward_to_single! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf deserialize_option
        deserialize_unit deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(Fields {
            params: self.0,
            next: 0,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(Fields {
            params: self.0,
            next: 0,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.single()?.deserialize_enum(name, variants, visitor)
    }
}

/// The parameters in order, as a sequence (tuples) or as a map by name (structs).
struct Fields<'a> {
    params: &'a [(&'a str, &'a str)],
    next: usize,
}

impl<'de> de::SeqAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_element_seed<S: de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        let Some((name, text)) = self.params.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        seed.deserialize(Value { name, text }).map(Some)
    }
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((name, _)) = self.params.get(self.next) else {
            return Ok(None);
        };
        let key: StrDeserializer<'_, Error> = name.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<S: de::DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let (name, text) = self
            .params
            .get(self.next)
            .ok_or_else(|| <Error as de::Error>::custom("a path parameter without a value"))?;
        self.next += 1;
        seed.deserialize(Value { name, text })
    }
}

/// One parameter's text.
struct Value<'a> {
    name: &'a str,
    text: &'a str,
}

impl Value<'_> {
    fn not_canonical(&self) -> Error {
        de::Error::custom(format!(
            "path parameter `{}` is \"{}\": an id is written in decimal digits, without sign \
             or leading zeros",
            self.name, self.text
        ))
    }

    fn parse<N: std::str::FromStr>(&self, canonical: fn(&str) -> bool) -> Result<N, Error> {
        if !canonical(self.text) {
            return Err(self.not_canonical());
        }
        self.text.parse().map_err(|_| {
            de::Error::custom(format!(
                "path parameter `{}` is \"{}\": out of range",
                self.name, self.text
            ))
        })
    }
}

macro_rules! integers {
    ($($method:ident $visit:ident $ty:ty, $canonical:ident;)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.$visit(self.parse::<$ty>($canonical)?)
        })*
    };
}

impl<'de> Deserializer<'de> for Value<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.text)
    }

    integers! {
        deserialize_u8 visit_u8 u8, canonical_unsigned;
        deserialize_u16 visit_u16 u16, canonical_unsigned;
        deserialize_u32 visit_u32 u32, canonical_unsigned;
        deserialize_u64 visit_u64 u64, canonical_unsigned;
        deserialize_u128 visit_u128 u128, canonical_unsigned;
        deserialize_i8 visit_i8 i8, canonical_signed;
        deserialize_i16 visit_i16 i16, canonical_signed;
        deserialize_i32 visit_i32 i32, canonical_signed;
        deserialize_i64 visit_i64 i64, canonical_signed;
        deserialize_i128 visit_i128 i128, canonical_signed;
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let value = self
            .text
            .parse()
            .map_err(|_| <Error as de::Error>::custom("not a boolean"))?;
        visitor.visit_bool(value)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let value = self
            .text
            .parse()
            .map_err(|_| <Error as de::Error>::custom("not a number"))?;
        visitor.visit_f64(value)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let text: StrDeserializer<'_, Error> = self.text.into_deserializer();
        visitor.visit_enum(text)
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_must_be_canonical() {
        assert!(check::<u64>(&[("company_id", "3")]).is_ok());
        assert!(check::<u64>(&[("company_id", "0")]).is_ok());
        for bad in ["+3", "03", "00", "-3", " 3", "3 ", ""] {
            let refused = check::<u64>(&[("company_id", bad)]);
            assert!(refused.is_err(), "{bad:?}");
        }
        let message = check::<u64>(&[("company_id", "+3")])
            .unwrap_err()
            .to_string();
        assert!(message.contains("company_id"), "{message}");
        assert!(check::<i64>(&[("n", "-3")]).is_ok());
        assert!(check::<i64>(&[("n", "-0")]).is_err());
        assert!(check::<u32>(&[("version", "4294967296")]).is_err());
    }

    #[test]
    fn text_parameters_are_left_alone() {
        assert!(check::<String>(&[("number", "+919876543210")]).is_ok());
        let pair = [("company_id", "7"), ("number", "+919876543210")];
        assert!(check::<(u64, String)>(&pair).is_ok());
        let pair = [("company_id", "7"), ("version", "+1")];
        assert!(check::<(u64, u32)>(&pair).is_err());
        let triple = [
            ("company_id", "7"),
            ("department_id", "8"),
            ("agent_id", "09"),
        ];
        assert!(check::<(u64, u64, u64)>(&triple).is_err());
    }

    #[test]
    fn structs_are_checked_by_name() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Ids {
            company_id: u64,
            call_id: String,
        }
        let ok = [("company_id", "7"), ("call_id", "+0042")];
        assert!(check::<Ids>(&ok).is_ok());
        let bad = [("company_id", "+7"), ("call_id", "x")];
        assert!(check::<Ids>(&bad).is_err());
    }
}
