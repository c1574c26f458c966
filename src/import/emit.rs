//! A spec as a YAML tree, keys in the order of the spec structs.
//!
//! The spec structs derive `Serialize`, and a small serializer here turns them into the
//! writer's nodes, so a field added to the spec language is written out with no change
//! here: an imported spec never silently drops one. The writer's form of a spec follows
//! its reader: an absent optional field is left out, `Some(None)` of a field that tells
//! `null` from absent is `null`, an empty list or mapping of a field that is not optional
//! is left out (it is the field's default), and so is a `false` of a plain flag. The
//! value forms the reader recognises by their one key (`{var: ...}`, `{file: ...}`) are
//! written as such one-key mappings.

use serde::ser::{self, Serialize, SerializeMap as _};

use super::yaml_out::{Entry, Node};
use crate::spec::{DataSpec, OrderedMap, Scalar, Spec, ValueSpec};

/// The spec's top-level entries.
pub fn spec(spec: &Spec) -> Vec<Entry> {
    match to_node(spec) {
        Ok(Node::Map(entries)) => entries,
        // A spec is a struct: anything else cannot come out of its derived form.
        Ok(_) | Err(_) => Vec::new(),
    }
}

/// Any serializable spec part as a node.
pub fn to_node<T: Serialize + ?Sized>(v: &T) -> Result<Node, SerError> {
    Ok(match v.serialize(NodeSer)? {
        Out::Absent => Node::Null,
        Out::Given(n) | Out::Plain(n) => n,
    })
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Serialize for Scalar {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Bool(b) => s.serialize_bool(*b),
            Scalar::Int(i) => s.serialize_i64(*i),
            Scalar::Float(f) => s.serialize_f64(*f),
            Scalar::Str(v) => s.serialize_str(v),
        }
    }
}

/// A mapping of exactly one key: the form the reader recognises by that key.
fn one<S: ser::Serializer, V: Serialize + ?Sized>(
    s: S,
    key: &str,
    value: &V,
) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry(key, value)?;
    m.end()
}

impl Serialize for ValueSpec {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ValueSpec::Scalar(x) => x.serialize(s),
            ValueSpec::Var(name) => one(s, "var", name),
            ValueSpec::Vault(r) => one(s, "vault", r),
            ValueSpec::Eso(r) => one(s, "eso", r),
            ValueSpec::Ref(text) => one(s, "ref", text),
            ValueSpec::Template(parts) => one(s, "template", parts),
            ValueSpec::Json(d) => one(s, "jsonencode", d),
            ValueSpec::Base64(v) => one(s, "base64encode", v),
            ValueSpec::Hcl(text) => one(s, "hcl", text),
            ValueSpec::ToString(v) => one(s, "tostring", v),
            ValueSpec::Coalesce(items) => one(s, "coalesce", items),
            ValueSpec::IfSet(items) => one(s, "if_set", items),
        }
    }
}

impl Serialize for DataSpec {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            DataSpec::Scalar(x) => x.serialize(s),
            DataSpec::List(items) => items.serialize(s),
            DataSpec::Map(m) => m.serialize(s),
            DataSpec::Ref(v) => v.serialize(s),
            DataSpec::File(f) => one(s, "file", f),
            DataSpec::TemplateFile(t) => one(s, "templatefile", t),
            DataSpec::Yaml(d) => one(s, "yamlencode", d.as_ref()),
            DataSpec::Json(d) => one(s, "jsonencode", d.as_ref()),
            DataSpec::JsonDecode(d) => one(s, "jsondecode", d.as_ref()),
        }
    }
}

/// What a value serializes to, as a field of a struct sees it.
enum Out {
    /// `None`: the field is left out.
    Absent,
    /// `Some(..)`: written even when it is an empty collection (`Some(None)` is `null`).
    Given(Node),
    /// A value that is not optional: left out when it is its type's empty default.
    Plain(Node),
}

impl Out {
    fn node(self) -> Node {
        match self {
            Out::Absent => Node::Null,
            Out::Given(n) | Out::Plain(n) => n,
        }
    }
}

/// A value the YAML form has no way to say.
#[derive(Debug)]
pub struct SerError(String);

impl std::fmt::Display for SerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        SerError(msg.to_string())
    }
}

struct NodeSer;

fn plain(n: Node) -> Result<Out, SerError> {
    Ok(Out::Plain(n))
}

impl ser::Serializer for NodeSer {
    type Ok = Out;
    type Error = SerError;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = ser::Impossible<Out, SerError>;
    type SerializeMap = MapSer;
    type SerializeStruct = StructSer;
    type SerializeStructVariant = ser::Impossible<Out, SerError>;

    fn serialize_bool(self, v: bool) -> Result<Out, SerError> {
        plain(Node::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Out, SerError> {
        plain(Node::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Out, SerError> {
        plain(Node::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Out, SerError> {
        plain(Node::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Out, SerError> {
        plain(Node::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Out, SerError> {
        plain(Node::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Out, SerError> {
        plain(Node::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Out, SerError> {
        plain(Node::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Out, SerError> {
        i64::try_from(v)
            .map(|v| Out::Plain(Node::Int(v)))
            .map_err(|_| SerError(format!("{v} is too large for a number")))
    }
    fn serialize_f32(self, v: f32) -> Result<Out, SerError> {
        plain(Node::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Out, SerError> {
        plain(Node::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Out, SerError> {
        plain(Node::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Out, SerError> {
        plain(Node::str(v))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Out, SerError> {
        Err(SerError("bytes have no YAML form here".to_owned()))
    }
    fn serialize_none(self) -> Result<Out, SerError> {
        Ok(Out::Absent)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Out, SerError> {
        Ok(Out::Given(v.serialize(NodeSer)?.node()))
    }
    fn serialize_unit(self) -> Result<Out, SerError> {
        plain(Node::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Out, SerError> {
        plain(Node::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Out, SerError> {
        plain(Node::str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Out, SerError> {
        v.serialize(NodeSer)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Out, SerError> {
        plain(Node::Map(vec![Entry::new(
            variant,
            v.serialize(NodeSer)?.node(),
        )]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, SerError> {
        Ok(Seq(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(SerError(format!(
            "{name}: tuple variants have no YAML form here"
        )))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapSer, SerError> {
        Ok(MapSer {
            entries: Vec::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<StructSer, SerError> {
        Ok(StructSer(Vec::new()))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(SerError(format!(
            "{name}: struct variants have no YAML form here"
        )))
    }
}

struct Seq(Vec<Node>);

impl ser::SerializeSeq for Seq {
    type Ok = Out;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.0.push(v.serialize(NodeSer)?.node());
        Ok(())
    }
    fn end(self) -> Result<Out, SerError> {
        plain(Node::Seq(self.0))
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = Out;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Out, SerError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = Out;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Out, SerError> {
        ser::SerializeSeq::end(self)
    }
}

struct MapSer {
    entries: Vec<Entry>,
    key: Option<String>,
}

impl ser::SerializeMap for MapSer {
    type Ok = Out;
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), SerError> {
        let key = match k.serialize(NodeSer)?.node() {
            Node::Str(s) => s,
            Node::Int(i) => i.to_string(),
            Node::Bool(b) => b.to_string(),
            other => {
                return Err(SerError(format!(
                    "a mapping key must be text, not {other:?}"
                )));
            }
        };
        self.key = Some(key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| SerError("a mapping value without its key".to_owned()))?;
        self.entries
            .push(Entry::new(&key, v.serialize(NodeSer)?.node()));
        Ok(())
    }
    fn end(self) -> Result<Out, SerError> {
        plain(Node::Map(self.entries))
    }
}

struct StructSer(Vec<Entry>);

impl ser::SerializeStruct for StructSer {
    type Ok = Out;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), SerError> {
        let node = match v.serialize(NodeSer)? {
            Out::Absent => return Ok(()),
            Out::Plain(n) if n.is_empty_collection() || n == Node::Bool(false) => return Ok(()),
            Out::Given(n) | Out::Plain(n) => n,
        };
        self.0.push(Entry::new(key, node));
        Ok(())
    }
    fn end(self) -> Result<Out, SerError> {
        plain(Node::Map(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Spec {
        crate::de::from_str::<Spec>("t.yaml", text)
            .map(|(s, _)| s)
            .unwrap_or_else(|d| panic!("{}", d.render(text)))
    }

    fn write(spec: &Spec) -> String {
        super::super::yaml_out::document(&[], &super::spec(spec))
    }

    /// Every bundled spec, written out and read back, is the same spec.
    #[test]
    fn every_bundled_spec_reads_back_as_itself() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for dir in ["specs", "tests/fixtures/specs"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .expect("dir")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).expect("text");
                let spec = read(&text);
                let out = write(&spec);
                let back = read(&out);
                assert_eq!(
                    format!("{spec:?}"),
                    format!("{back:?}"),
                    "{}:\n{out}",
                    p.display()
                );
                seen += 1;
            }
        }
        assert!(seen >= 10, "only {seen} specs read");
    }

    /// Keys come in the order the spec structs declare them, whatever order the input
    /// had; null is kept apart from absent; value forms keep their one key.
    #[test]
    fn order_null_and_forms() {
        let spec = read(
            "ingress:\n  auth: none\n  auth_why: a reason\nname: x\ncontainers:\n  - port_name: null\n    image: i\n    env:\n      - name: A\n        value: {var: a}\n",
        );
        let out = write(&spec);
        let name = out.find("name: x").expect("name");
        let containers = out.find("containers:").expect("containers");
        let ingress = out.find("ingress:").expect("ingress");
        assert!(name < containers && containers < ingress, "{out}");
        let image = out.find("image: i").expect("image");
        let port_name = out.find("port_name: null").expect("null kept");
        assert!(image < port_name, "{out}");
        assert!(out.contains("var: a"), "{out}");
    }
}
