//! serde's derives on the model, with [`Json`] as the format: the model's types
//! say `#[derive(Serialize, Deserialize)]` and their members' names, defaults
//! and omissions as attributes, while the text is still read by the capped,
//! linear-time parser in `json.rs` (so a hostile document cannot nest
//! without bound or make a reader quadratic) and errors still name their
//! place (`panels[2].targets[0].expr: expected a string, found a number`).
//!
//! Reading keeps the rules the hand-written readers had: an absent member and
//! a `null` one are the same (the default, or "missing or null"); when a member
//! is repeated the last one wins; unknown members are ignored; numbers must
//! fit the field exactly (`300` is not a `u8`, `1.5` not a `u32`).

use super::json::{DecodeError, Json, ObjectReader};
use super::ordered::sorted_positions;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};
use serde::Deserialize;
use std::fmt;

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    #[cold]
    fn custom<T: fmt::Display>(message: T) -> Self {
        let text = message.to_string();
        // An error from `read_object` keeps its path (see `Carried`).
        if let Some((path, message)) = text
            .strip_prefix(CARRIED)
            .and_then(|rest| rest.split_once(CARRIED))
        {
            return DecodeError::from_parts(path.to_string(), message.to_string());
        }
        DecodeError::new(text)
    }

    #[cold]
    fn invalid_type(found: de::Unexpected, expected: &dyn de::Expected) -> Self {
        let found = match found {
            de::Unexpected::Bool(_) => "a boolean",
            de::Unexpected::Unsigned(_) | de::Unexpected::Signed(_) | de::Unexpected::Float(_) => {
                "a number"
            }
            de::Unexpected::Str(_) | de::Unexpected::Char(_) => "a string",
            de::Unexpected::Unit | de::Unexpected::Option => "null",
            de::Unexpected::Seq => "an array",
            de::Unexpected::Map => "an object",
            _ => "another kind of value",
        };
        // serde names Rust's types ("f64", "struct Threshold"); say JSON's.
        let expected = match expected.to_string().as_str() {
            "f32" | "f64" => "a number".to_string(),
            "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" => {
                "a whole number".to_string()
            }
            "a sequence" => "an array".to_string(),
            "a map" => "an object".to_string(),
            struct_name if struct_name.starts_with("struct ") => "an object".to_string(),
            other => other.to_string(),
        };
        DecodeError::new(format!("expected {expected}, found {found}"))
    }

    #[cold]
    fn missing_field(field: &'static str) -> Self {
        DecodeError::new(format!("the member {field:?} is missing or null"))
    }

    #[cold]
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        not_one_of(variant, expected)
    }
}

impl ser::Error for DecodeError {
    #[cold]
    fn custom<T: fmt::Display>(message: T) -> Self {
        DecodeError::new(message.to_string())
    }
}

/// `"mid" is not one of "low", "high"`.
#[cold]
#[inline(never)]
pub fn not_one_of(text: &str, names: &[&str]) -> DecodeError {
    let quoted: Vec<String> = names.iter().map(|name| format!("{name:?}")).collect();
    DecodeError::new(format!("{text:?} is not one of {}", quoted.join(", ")))
}

/// Reads a value whose members depend on one of them (a panel's `type`, an
/// alert condition's `kind`). serde's derive for such a type buffers the
/// object in a generic tree of its own and compiles a second reader of every
/// member for that tree (about 40 KB of the app); this takes the object as a
/// [`Json`] value and lets `read` pick its members with an [`ObjectReader`].
pub fn read_object<'de, D: de::Deserializer<'de>, T>(
    deserializer: D,
    read: fn(&ObjectReader, &Json) -> Result<T, DecodeError>,
) -> Result<T, D::Error> {
    let value = Json::deserialize(deserializer)?;
    ObjectReader::new(&value)
        .and_then(|object| read(&object, &value))
        .map_err(|error| de::Error::custom(Carried(error)))
}

/// Marks an error's path inside the text serde's `custom` carries, so that
/// `DecodeError::custom` gets back `panels[2].targets[0].expr` as a path the
/// outer members are put in front of, not as part of the message.
const CARRIED: char = '\u{0}';

struct Carried(DecodeError);

impl fmt::Display for Carried {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let (path, message) = self.0.parts();
        write!(f, "{CARRIED}{path}{CARRIED}{message}")
    }
}

/// Reads a `T` from a parsed document.
pub fn from_json<T: de::DeserializeOwned>(value: &Json) -> Result<T, DecodeError> {
    T::deserialize(value)
}

/// Writes a `T` as a document. Writing can fail only for a map whose keys are
/// not strings, which the model does not have; such a value is written as `null`.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Json {
    let written = value.serialize(JsonWriter);
    debug_assert!(written.is_ok(), "{:?}", written.as_ref().err());
    written.unwrap_or(Json::Null)
}

/// A whole number from `min` to `max` (JSON numbers are `f64`: whole numbers
/// are exact up to 2^53).
fn whole_number(value: &Json, min: f64, max: f64) -> Result<f64, DecodeError> {
    match value {
        Json::Number(number) if number.fract() == 0.0 && *number >= min && *number <= max => {
            Ok(*number)
        }
        Json::Number(number) => Err(DecodeError::new(format!(
            "{number} is not a whole number from {min} to {max}"
        ))),
        other => Err(DecodeError::expected("a whole number", other)),
    }
}

macro_rules! whole_numbers {
    ($($method:ident => $visit:ident as $kind:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            let limit = (<$kind>::MAX as f64).min(9_007_199_254_740_992.0);
            let floor = (<$kind>::MIN as f64).max(-9_007_199_254_740_992.0);
            visitor.$visit(whole_number(self, floor, limit)? as $kind)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for &'de Json {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Json::Null => visitor.visit_unit(),
            Json::Bool(flag) => visitor.visit_bool(*flag),
            // Whole numbers as integers, so that a value read before its type
            // is known (a tagged or flattened member) still fits an integer field.
            Json::Number(number) if number.fract() == 0.0 && number.abs() <= 9.007e15 => {
                if *number >= 0.0 {
                    visitor.visit_u64(*number as u64)
                } else {
                    visitor.visit_i64(*number as i64)
                }
            }
            Json::Number(number) => visitor.visit_f64(*number),
            Json::String(text) => visitor.visit_borrowed_str(text),
            Json::Array(items) => visitor.visit_seq(Items::new(items)),
            Json::Object(members) => visitor.visit_map(Members::all(members)),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Json::Bool(flag) => visitor.visit_bool(*flag),
            other => Err(DecodeError::expected("true or false", other)),
        }
    }

    whole_numbers!(
        deserialize_u8 => visit_u8 as u8,
        deserialize_u16 => visit_u16 as u16,
        deserialize_u32 => visit_u32 as u32,
        deserialize_u64 => visit_u64 as u64,
        deserialize_i8 => visit_i8 as i8,
        deserialize_i16 => visit_i16 as i16,
        deserialize_i32 => visit_i32 as i32,
        deserialize_i64 => visit_i64 as i64
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Json::Number(number) => visitor.visit_f64(*number),
            other => Err(DecodeError::expected("a number", other)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Json::String(text) => visitor.visit_borrowed_str(text),
            other => Err(DecodeError::expected("a string", other)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Json::Null => visitor.visit_none(),
            value => visitor.visit_some(value),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Json::Null => visitor.visit_unit(),
            other => Err(DecodeError::expected("null", other)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Json::Array(items) => visitor.visit_seq(Items::new(items)),
            other => Err(DecodeError::expected("an array", other)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self {
            Json::Object(members) => visitor.visit_map(Members::all(members)),
            other => Err(DecodeError::expected("an object", other)),
        }
    }

    /// Only the struct's own members are visited, each once (its last value).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self {
            Json::Object(members) => visitor.visit_map(Members::of_fields(members, fields)),
            other => Err(DecodeError::expected("an object", other)),
        }
    }

    /// Enums of names (`"high"`); the model's enums with members are tagged
    /// inside their object, which serde reads through `deserialize_any`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self {
            Json::String(text) => visitor.visit_enum(text.as_str().into_deserializer()),
            other => Err(DecodeError::expected("a string", other)),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }
}

/// An array's items; an error names the item.
struct Items<'de> {
    items: std::slice::Iter<'de, Json>,
    index: usize,
}

impl<'de> Items<'de> {
    fn new(items: &'de [Json]) -> Self {
        Self {
            items: items.iter(),
            index: 0,
        }
    }
}

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(item)
            .map(Some)
            .map_err(|error| error.in_item(index))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// An object's members, without the `null` ones and with only the last of a
/// repeated name; an error names the member.
struct Members<'de> {
    members: Vec<&'de (String, Json)>,
    next: usize,
}

impl<'de> Members<'de> {
    /// Every member (for maps, and structs with a flattened part).
    fn all(members: &'de [(String, Json)]) -> Self {
        let by_name = sorted_positions(members.len(), &|a, b| {
            members[a].0.cmp(&members[b].0).then(a.cmp(&b))
        });
        let mut last = vec![false; members.len()];
        for (position, index) in by_name.iter().enumerate() {
            let repeated_later = by_name
                .get(position + 1)
                .is_some_and(|next| members[*next].0 == members[*index].0);
            last[*index] = !repeated_later;
        }
        Self {
            members: members
                .iter()
                .zip(last)
                .filter(|(member, last)| *last && !member.1.is_null())
                .map(|(member, _)| member)
                .collect(),
            next: 0,
        }
    }

    /// The members a struct reads, in the struct's order; unknown ones are
    /// never looked at.
    fn of_fields(members: &'de [(String, Json)], fields: &[&str]) -> Self {
        Self {
            members: fields
                .iter()
                .filter_map(|field| members.iter().rev().find(|(name, _)| name == field))
                .filter(|member| !member.1.is_null())
                .collect(),
            next: 0,
        }
    }
}

impl<'de> de::MapAccess<'de> for Members<'de> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some((name, _)) = self.members.get(self.next) else {
            return Ok(None);
        };
        seed.deserialize(de::value::BorrowedStrDeserializer::new(name))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let (name, value) = self.members[self.next];
        self.next += 1;
        seed.deserialize(value)
            .map_err(|error| error.in_member(name))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len() - self.next)
    }
}

impl Serialize for Json {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use ser::{SerializeMap, SerializeSeq};
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(flag) => serializer.serialize_bool(*flag),
            Json::Number(number) => serializer.serialize_f64(*number),
            Json::String(text) => serializer.serialize_str(text),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> de::Deserialize<'de> for Json {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        <Json as de::Deserialize>::deserialize(deserializer)
    }

    fn visit_bool<E>(self, flag: bool) -> Result<Json, E> {
        Ok(Json::Bool(flag))
    }

    fn visit_u64<E>(self, number: u64) -> Result<Json, E> {
        Ok(Json::Number(number as f64))
    }

    fn visit_i64<E>(self, number: i64) -> Result<Json, E> {
        Ok(Json::Number(number as f64))
    }

    fn visit_f64<E>(self, number: f64) -> Result<Json, E> {
        Ok(Json::Number(number))
    }

    fn visit_str<E>(self, text: &str) -> Result<Json, E> {
        Ok(Json::String(text.to_string()))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry()? {
            members.push(member);
        }
        Ok(Json::Object(members))
    }
}

/// Writes any `Serialize` value as a [`Json`] tree.
struct JsonWriter;

impl ser::Serializer for JsonWriter {
    type Ok = Json;
    type Error = DecodeError;
    type SerializeSeq = ArrayWriter;
    type SerializeTuple = ArrayWriter;
    type SerializeTupleStruct = ArrayWriter;
    type SerializeTupleVariant = ser::Impossible<Json, DecodeError>;
    type SerializeMap = ObjectWriter;
    type SerializeStruct = ObjectWriter;
    type SerializeStructVariant = ser::Impossible<Json, DecodeError>;

    fn serialize_bool(self, flag: bool) -> Result<Json, DecodeError> {
        Ok(Json::Bool(flag))
    }

    fn serialize_i8(self, number: i8) -> Result<Json, DecodeError> {
        Ok(Json::Number(number.into()))
    }

    fn serialize_i16(self, number: i16) -> Result<Json, DecodeError> {
        Ok(Json::Number(number.into()))
    }

    fn serialize_i32(self, number: i32) -> Result<Json, DecodeError> {
        Ok(Json::Number(number.into()))
    }

    fn serialize_i64(self, number: i64) -> Result<Json, DecodeError> {
        Ok(Json::Number(number as f64))
    }

    fn serialize_u8(self, number: u8) -> Result<Json, DecodeError> {
        Ok(Json::Number(number.into()))
    }

    fn serialize_u16(self, number: u16) -> Result<Json, DecodeError> {
        Ok(Json::Number(number.into()))
    }

    fn serialize_u32(self, number: u32) -> Result<Json, DecodeError> {
        Ok(Json::Number(number.into()))
    }

    fn serialize_u64(self, number: u64) -> Result<Json, DecodeError> {
        Ok(Json::Number(number as f64))
    }

    fn serialize_f32(self, number: f32) -> Result<Json, DecodeError> {
        Ok(Json::Number(number.into()))
    }

    fn serialize_f64(self, number: f64) -> Result<Json, DecodeError> {
        Ok(Json::Number(number))
    }

    fn serialize_char(self, character: char) -> Result<Json, DecodeError> {
        Ok(Json::String(character.to_string()))
    }

    fn serialize_str(self, text: &str) -> Result<Json, DecodeError> {
        Ok(Json::String(text.to_string()))
    }

    fn serialize_bytes(self, _bytes: &[u8]) -> Result<Json, DecodeError> {
        Err(DecodeError::new("bytes have no JSON form"))
    }

    fn serialize_none(self) -> Result<Json, DecodeError> {
        Ok(Json::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Json, DecodeError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Json, DecodeError> {
        Ok(Json::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Json, DecodeError> {
        Ok(Json::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Json, DecodeError> {
        Ok(Json::String(variant.to_string()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Json, DecodeError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Json, DecodeError> {
        Ok(Json::Object(vec![(variant.to_string(), to_json(value))]))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<ArrayWriter, DecodeError> {
        Ok(ArrayWriter(Vec::with_capacity(len.unwrap_or(0))))
    }

    fn serialize_tuple(self, len: usize) -> Result<ArrayWriter, DecodeError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<ArrayWriter, DecodeError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, DecodeError> {
        Err(DecodeError::new(
            "enum variants with unnamed members have no JSON form here",
        ))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<ObjectWriter, DecodeError> {
        Ok(ObjectWriter {
            members: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<ObjectWriter, DecodeError> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, DecodeError> {
        Err(DecodeError::new(
            "enum variants with members are written tagged inside their object",
        ))
    }
}

struct ArrayWriter(Vec<Json>);

impl ser::SerializeSeq for ArrayWriter {
    type Ok = Json;
    type Error = DecodeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DecodeError> {
        self.0.push(value.serialize(JsonWriter)?);
        Ok(())
    }

    fn end(self) -> Result<Json, DecodeError> {
        Ok(Json::Array(self.0))
    }
}

impl ser::SerializeTuple for ArrayWriter {
    type Ok = Json;
    type Error = DecodeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DecodeError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<Json, DecodeError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for ArrayWriter {
    type Ok = Json;
    type Error = DecodeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DecodeError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<Json, DecodeError> {
        ser::SerializeSeq::end(self)
    }
}

struct ObjectWriter {
    members: Vec<(String, Json)>,
    key: Option<String>,
}

impl ser::SerializeMap for ObjectWriter {
    type Ok = Json;
    type Error = DecodeError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), DecodeError> {
        match key.serialize(JsonWriter)? {
            Json::String(name) => {
                self.key = Some(name);
                Ok(())
            }
            other => Err(DecodeError::expected("a string as a member name", &other)),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DecodeError> {
        let name = self.key.take().unwrap_or_default();
        self.members.push((name, value.serialize(JsonWriter)?));
        Ok(())
    }

    fn end(self) -> Result<Json, DecodeError> {
        Ok(Json::Object(self.members))
    }
}

impl ser::SerializeStruct for ObjectWriter {
    type Ok = Json;
    type Error = DecodeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), DecodeError> {
        self.members
            .push((name.to_string(), value.serialize(JsonWriter)?));
        Ok(())
    }

    fn end(self) -> Result<Json, DecodeError> {
        Ok(Json::Object(self.members))
    }
}

/// Enums written as one of a fixed set of names (`"1w"`, `"high"`, `">"`):
/// serde reads and writes them through the name their type already gives
/// for the URL and the editor, so each list of names has one source.
macro_rules! json_as_name {
    ($($kind:ty => $name_of:ident),* $(,)?) => {$(
        impl serde::Serialize for $kind {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.$name_of())
            }
        }

        impl<'de> serde::Deserialize<'de> for $kind {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let names = <$kind>::ALL.map(<$kind>::$name_of);
                let position = deserializer.deserialize_str(
                    $crate::foundation::json_serde::NameVisitor(&names),
                )?;
                Ok(<$kind>::ALL[position])
            }
        }
    )*};
}
pub(crate) use json_as_name;

/// Reads a string and says where it is in a list of names.
pub struct NameVisitor<'a>(pub &'a [&'static str]);

impl Visitor<'_> for NameVisitor<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|name| *name == text)
            .ok_or_else(|| E::custom(not_one_of(text, self.0)))
    }
}

/// `#[serde(skip_serializing_if = …)]` for a flag written only when it is on.
pub fn is_false(flag: &bool) -> bool {
    !flag
}
