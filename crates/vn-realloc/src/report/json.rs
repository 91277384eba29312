//! Compact JSON, byte for byte what `serde_json::to_writer` writes, with a faster string escape.
//!
//! A national proposal is hundreds of megabytes of JSON, mostly Vietnamese text, and serde_json looks
//! up every byte of every string in a table to find the few that need escaping: that took about a
//! tenth of all the CPU time of a 500,000-row run. Here eight bytes are checked at a time (`needs`).
//! Everything but strings and the structure around them (numbers above all) is handed to serde_json
//! itself, so it is formatted by the same code; whatever this serializer does not take on (map keys
//! that are not strings, byte strings, serde_json's raw values) makes [`write`] fail, and the caller
//! writes that value with serde_json instead ([`super::compact`]). A property test checks the output
//! against serde_json's.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Serializer};

/// Appends `value` as compact JSON to `out`; on an error `out` holds a part of it (the caller cuts it
/// and writes the value with serde_json).
pub(crate) fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    value.serialize(&mut Json { out })
}

/// Why the fast path gave up: something it does not write itself, or a value's own error.
#[derive(Debug)]
pub(crate) struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<M: fmt::Display>(msg: M) -> Error {
        Error(msg.to_string())
    }
}

fn not_here(what: &str) -> Error {
    Error(format!("{what}: left to serde_json"))
}

/// A number, as serde_json writes it.
fn number<T: Serialize>(out: &mut Vec<u8>, v: T) -> Result<(), Error> {
    serde_json::to_writer(out, &v).map_err(|e| Error(e.to_string()))
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// True when one of the eight bytes of `w` must be escaped: a control character (below 0x20), `"` or
/// `\`. Exact (no false answer either way): `(x - 1…) & !x & 0x80…` is non-zero exactly when a byte
/// of `x` is zero, and `(w - 0x20…) & !w & 0x80…` exactly when a byte of `w` is below 0x20.
fn needs(w: u64) -> bool {
    let zero_in = |x: u64| x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS;
    let control = w.wrapping_sub(LOW_BITS * 0x20) & !w & HIGH_BITS;
    control | zero_in(w ^ (LOW_BITS * u64::from(b'"'))) | zero_in(w ^ (LOW_BITS * u64::from(b'\\'))) != 0
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut unicode = *b"\\u0000";
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = bytes.get(i..i + 8).and_then(|b| <[u8; 8]>::try_from(b).ok())
            && !needs(u64::from_le_bytes(word))
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..0x20 => {
                unicode[4] = HEX[usize::from(b >> 4)];
                unicode[5] = HEX[usize::from(b & 0xf)];
                &unicode
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

struct Json<'a> {
    out: &'a mut Vec<u8>,
}

/// A list, map or struct being written: whether an element has been written yet, and whether a
/// variant's `{"name":` is to be closed at the end.
struct Compound<'a, 'b> {
    json: &'b mut Json<'a>,
    first: bool,
    variant: bool,
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.json.out.push(b',');
        }
    }

    fn close(self, end: u8) {
        self.json.out.push(end);
        if self.variant {
            self.json.out.push(b'}');
        }
    }
}

impl<'a, 'b> Json<'a> {
    fn open(&'b mut self, variant: Option<&str>, start: u8) -> Compound<'a, 'b> {
        if let Some(name) = variant {
            self.out.push(b'{');
            string(self.out, name);
            self.out.push(b':');
        }
        self.out.push(start);
        Compound { json: self, first: true, variant: variant.is_some() }
    }
}

impl<'a, 'b> Serializer for &'b mut Json<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, 'b>;
    type SerializeTuple = Compound<'a, 'b>;
    type SerializeTupleStruct = Compound<'a, 'b>;
    type SerializeTupleVariant = Compound<'a, 'b>;
    type SerializeMap = Compound<'a, 'b>;
    type SerializeStruct = Compound<'a, 'b>;
    type SerializeStructVariant = Compound<'a, 'b>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Err(not_here("bytes"))
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push(b'{');
        string(self.out, variant);
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a, 'b>, Error> {
        Ok(self.open(None, b'['))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a, 'b>, Error> {
        Ok(self.open(None, b'['))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a, 'b>, Error> {
        Ok(self.open(None, b'['))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a, 'b>, Error> {
        Ok(self.open(Some(variant), b'['))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a, 'b>, Error> {
        Ok(self.open(None, b'{'))
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Compound<'a, 'b>, Error> {
        // serde_json's raw values are structs of this name.
        if name.starts_with("$serde_json") {
            return Err(not_here(name));
        }
        Ok(self.open(None, b'{'))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a, 'b>, Error> {
        Ok(self.open(Some(variant), b'{'))
    }
}

/// The four kinds of list (a sequence, a tuple, a tuple struct, a tuple variant) are written alike.
macro_rules! list {
    ($($kind:ident :: $add:ident),*) => {$(
        impl ser::$kind for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $add<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.comma();
                value.serialize(&mut *self.json)
            }
            fn end(self) -> Result<(), Error> {
                self.close(b']');
                Ok(())
            }
        }
    )*};
}

list!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        key.serialize(KeyStr { out: self.json.out })?;
        self.json.out.push(b':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.json)
    }
    fn end(self) -> Result<(), Error> {
        self.close(b'}');
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.comma();
        string(self.json.out, key);
        self.json.out.push(b':');
        value.serialize(&mut *self.json)
    }
    fn end(self) -> Result<(), Error> {
        self.close(b'}');
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeStruct::end(self)
    }
}

/// Keys of these kinds are left to serde_json.
macro_rules! refuse_keys {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, _: $t) -> Result<(), Error> {
            Err(not_here("key"))
        }
    )*};
}

/// A map key: a string (or a newtype around one) is written here; any other key is left to
/// serde_json, which quotes numbers and refuses the rest.
struct KeyStr<'a> {
    out: &'a mut Vec<u8>,
}

impl Serializer for KeyStr<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.out, v);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    refuse_keys!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str)
    );
    fn serialize_none(self) -> Result<(), Error> {
        Err(not_here("key"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(not_here("key"))
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(not_here("key"))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(not_here("key"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(not_here("key"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(not_here("key"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Error> {
        Err(not_here("key"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(not_here("key"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(not_here("key"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(not_here("key"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(not_here("key"))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Serialize;

    use super::*;

    fn ours<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
        let mut out = Vec::new();
        super::super::compact(&mut out, v);
        out
    }

    fn theirs<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
        serde_json::to_vec(v).unwrap()
    }

    #[derive(Clone, Debug, Serialize)]
    enum Shape {
        Unit,
        New(i64),
        Tuple(u8, String),
        Fields { a: Option<f64>, b: Vec<char> },
    }

    #[derive(Debug, Serialize)]
    struct Row {
        id: String,
        n: i64,
        x: f64,
        flag: bool,
        maybe: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u32>,
        list: Vec<String>,
        map: BTreeMap<String, f32>,
        numbered: BTreeMap<u32, i8>,
        shapes: Vec<Shape>,
        pair: (i128, u128),
        unit: (),
    }

    fn text() -> impl Strategy<Value = String> {
        // Every escape, multi-byte text and runs longer than a word, at every alignment.
        prop::collection::vec(
            prop_oneof![
                Just("\"".to_owned()),
                Just("\\".to_owned()),
                (0u8..0x20).prop_map(|b| char::from(b).to_string()),
                Just("\u{7f}".to_owned()),
                Just("Sở Xây dựng – Lạng Sơn".to_owned()),
                "[a-z ]{0,17}",
                any::<char>().prop_map(String::from),
            ],
            0..12,
        )
        .prop_map(|v| v.concat())
    }

    fn row() -> impl Strategy<Value = Row> {
        let shape = prop_oneof![
            Just(Shape::Unit),
            any::<i64>().prop_map(Shape::New),
            (any::<u8>(), text()).prop_map(|(a, b)| Shape::Tuple(a, b)),
            (prop::option::of(any::<f64>()), prop::collection::vec(any::<char>(), 0..3))
                .prop_map(|(a, b)| Shape::Fields { a, b }),
        ];
        (
            (text(), any::<i64>(), any::<f64>(), any::<bool>(), prop::option::of(any::<u32>())),
            (prop::option::of(any::<u32>()), prop::collection::vec(text(), 0..4)),
            (
                prop::collection::btree_map(text(), any::<f32>(), 0..3),
                prop::collection::btree_map(any::<u32>(), any::<i8>(), 0..3),
            ),
            (prop::collection::vec(shape, 0..4), any::<i128>(), any::<u128>()),
        )
            .prop_map(
                |((id, n, x, flag, maybe), (skipped, list), (map, numbered), (shapes, a, b))| Row {
                    id,
                    n,
                    x,
                    flag,
                    maybe,
                    skipped,
                    list,
                    map,
                    numbered,
                    shapes,
                    pair: (a, b),
                    unit: (),
                },
            )
    }

    proptest! {
        /// Any string is escaped as serde_json escapes it.
        #[test]
        fn strings_are_serde_json_strings(s in text()) {
            let mut out = Vec::new();
            string(&mut out, &s);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&s).unwrap());
        }

        /// The eight-byte test finds exactly the words holding a byte to escape.
        #[test]
        fn the_word_test_is_exact(w in any::<[u8; 8]>()) {
            let expected = w.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
            prop_assert_eq!(needs(u64::from_le_bytes(w)), expected);
        }

        /// Structs, options, lists, maps with string and number keys, enums of every kind, NaN and
        /// infinities: the same bytes as serde_json (the parts left to it included).
        #[test]
        fn values_are_serde_json_values(r in row()) {
            prop_assert_eq!(ours(&r), theirs(&r));
        }
    }

    #[test]
    fn the_elements_of_a_national_proposal_are_serde_json_bytes() {
        use crate::generate::{GenerateOptions, generate_scenario};
        let scenario = generate_scenario(&GenerateOptions::new(3000, 11));
        let doc = crate::pipeline::Pipeline::new().run_scenario(scenario, "generated").unwrap().document;
        for p in &doc.projects {
            assert_eq!(ours(p), theirs(p));
        }
        for t in &doc.transfers {
            assert_eq!(ours(t), theirs(t));
        }
        assert_eq!(ours(&doc.manifest), theirs(&doc.manifest));
        assert_eq!(ours(&doc.summary), theirs(&doc.summary));
        assert_eq!(ours(&doc.pools), theirs(&doc.pools));
        assert_eq!(ours(&doc.groups), theirs(&doc.groups));
        assert_eq!(ours(&doc.authorities), theirs(&doc.authorities));
        assert!(!doc.projects.is_empty() && !doc.transfers.is_empty());
    }
}
