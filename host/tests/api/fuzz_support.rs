//! Strategies of the API fuzzer (`fuzz_api.rs`): the documented operations read from
//! `/v1/openapi.json`, and for each one random requests: path segments (real ids, random
//! numbers, garbage), query strings, and bodies (shaped by the operation's schema with random
//! values, arbitrary JSON, or random bytes under a random content type).

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use reqwest::Method;
use serde_json::Value;

/// One documented operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: Method,
    pub template: String,
    /// Query parameters: name and schema.
    pub query: Vec<(String, Value)>,
    pub body: Body,
}

/// What the operation takes as a body.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    /// JSON of this schema.
    Json(Value),
    /// A WebAssembly component.
    Wasm,
}

/// A generated request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// Path and query string.
    pub path: String,
    /// Content type and bytes.
    pub body: Option<(String, Vec<u8>)>,
}

/// Real values for path parameters, by parameter name.
pub type Pool = HashMap<String, Vec<String>>;

/// Every operation of the OpenAPI document.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            let query = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .map(|p| (p["name"].as_str().unwrap().to_owned(), p["schema"].clone()))
                .collect();
            let content = &op["requestBody"]["content"];
            let body = if let Some(json) = content.get("application/json") {
                Body::Json(json["schema"].clone())
            } else if content.get("application/wasm").is_some() {
                Body::Wasm
            } else {
                Body::None
            };
            out.push(Operation {
                method,
                template: template.clone(),
                query,
                body,
            });
        }
    }
    out
}

/// Requests to any of `ops`.
pub fn requests(ops: &[Operation], doc: &Value, pool: &Pool) -> BoxedStrategy<Request> {
    let ids: Vec<u64> = pool
        .values()
        .flatten()
        .filter_map(|v| v.parse().ok())
        .collect();
    let per_op: Vec<BoxedStrategy<Request>> =
        ops.iter().map(|op| request(op, doc, pool, &ids)).collect();
    Union::new(per_op).boxed()
}

fn request(op: &Operation, doc: &Value, pool: &Pool, ids: &[u64]) -> BoxedStrategy<Request> {
    let segments: Vec<BoxedStrategy<String>> = op
        .template
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => segment(pool.get(name).cloned().unwrap_or_default()),
                None => Just(seg.to_owned()).boxed(),
            },
        )
        .collect();
    let query = query(&op.query, ids);
    let body = match &op.body {
        Body::Json(schema) => prop_oneof![
            6 => value(schema, doc, ids, 0).prop_map(|v| Some(json_body(&v))),
            2 => arbitrary_json().prop_map(|v| Some(json_body(&v))),
            1 => raw_body().prop_map(Some),
            1 => Just(None),
        ]
        .boxed(),
        Body::Wasm => prop_oneof![
            3 => proptest::collection::vec(any::<u8>(), 0..256).prop_map(|mut b| {
                let mut bytes = b"\0asm\x0d\0\x01\0".to_vec();
                bytes.append(&mut b);
                Some(("application/wasm".to_owned(), bytes))
            }),
            1 => raw_body().prop_map(Some),
            1 => Just(None),
        ]
        .boxed(),
        Body::None => prop_oneof![
            8 => Just(None),
            1 => arbitrary_json().prop_map(|v| Some(json_body(&v))),
            1 => raw_body().prop_map(Some),
        ]
        .boxed(),
    };
    let method = op.method.clone();
    (segments, query, body)
        .prop_map(move |(segments, query, body)| Request {
            method: method.clone(),
            path: format!("{}{query}", segments.join("/")),
            body,
        })
        .boxed()
}

fn json_body(v: &Value) -> (String, Vec<u8>) {
    (
        "application/json".to_owned(),
        serde_json::to_vec(v).unwrap(),
    )
}

/// Random bytes (or text) under a random content type.
fn raw_body() -> BoxedStrategy<(String, Vec<u8>)> {
    let content_type = select(vec![
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/wasm",
        "application/octet-stream",
        "",
    ]);
    let bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..128),
        ".{0,64}".prop_map(String::into_bytes),
        Just(b"{\"a\":".to_vec()),
        Just(b"\xff\xfe{}".to_vec()),
    ];
    (content_type, bytes)
        .prop_map(|(t, b)| (t.to_owned(), b))
        .boxed()
}

/// One path segment for a parameter: a real value, a number or garbage.
fn segment(real: Vec<String>) -> BoxedStrategy<String> {
    let garbage = prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("1e3".to_owned()),
        Just("%00".to_owned()),
        Just("%FF%FE".to_owned()),
        Just("+".to_owned()),
        "\\+[0-9]{0,20}".prop_map(|s| encode(&s)),
        // Never a short number: it could be a real id (of the callers' own tokens, say).
        "[a-zA-Z_.~-][a-zA-Z0-9_.~-]{0,39}",
        ".{1,24}".prop_map(|s| encode(&s)),
        "x{300,600}",
    ];
    if real.is_empty() {
        garbage.boxed()
    } else {
        prop_oneof![3 => select(real), 2 => garbage].boxed()
    }
}

/// A query string: documented parameters with typed or garbage values, and maybe an unknown one.
fn query(params: &[(String, Value)], ids: &[u64]) -> BoxedStrategy<String> {
    let mut pairs: Vec<BoxedStrategy<Option<(String, String)>>> = params
        .iter()
        .map(|(name, schema)| {
            let typed = if types(schema).contains(&"integer") {
                integer(ids).prop_map(|v| v.to_string()).boxed()
            } else {
                string().boxed()
            };
            let value = prop_oneof![3 => typed, 1 => ".{0,16}"];
            let name = name.clone();
            proptest::option::of(value.prop_map(move |v| (name.clone(), encode(&v)))).boxed()
        })
        .collect();
    pairs.push(
        proptest::option::weighted(0.2, ("[a-z_]{1,8}", ".{0,8}"))
            .prop_map(|p| p.map(|(k, v)| (k, encode(&v))))
            .boxed(),
    );
    pairs
        .prop_map(|pairs| {
            let parts: Vec<String> = pairs
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            if parts.is_empty() {
                String::new()
            } else {
                format!("?{}", parts.join("&"))
            }
        })
        .boxed()
}

/// Percent-encodes everything but unreserved characters.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The `type` of a schema as a list (`"integer"` or `["integer", "null"]`).
fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A random value shaped like `schema` (references resolved in `doc`).
fn value(schema: &Value, doc: &Value, ids: &[u64], depth: usize) -> BoxedStrategy<Value> {
    if depth > 6 {
        return arbitrary_json();
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return value(&doc["components"]["schemas"][name], doc, ids, depth + 1);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema[key].as_array() {
            let all = options
                .iter()
                .map(|s| value(s, doc, ids, depth + 1))
                .collect::<Vec<_>>();
            return Union::new(all).boxed();
        }
    }
    if let Some(choices) = schema["enum"].as_array() {
        return prop_oneof![
            9 => select(choices.clone()),
            1 => string().prop_map(Value::from),
        ]
        .boxed();
    }
    let mut options: Vec<BoxedStrategy<Value>> = Vec::new();
    for t in types(schema) {
        options.push(match t {
            "null" => Just(Value::Null).boxed(),
            "boolean" => any::<bool>().prop_map(Value::from).boxed(),
            "integer" => integer(ids),
            "number" => any::<f64>().prop_map(|f| serde_json::json!(f)).boxed(),
            "string" => string().prop_map(Value::from).boxed(),
            "array" => {
                let item = value(&schema["items"], doc, ids, depth + 1);
                proptest::collection::vec(item, 0..4)
                    .prop_map(Value::Array)
                    .boxed()
            }
            "object" => object(schema, doc, ids, depth),
            _ => arbitrary_json(),
        });
    }
    if options.is_empty() {
        if schema["properties"].is_object() {
            return object(schema, doc, ids, depth);
        }
        return arbitrary_json();
    }
    Union::new(options).boxed()
}

/// An object: required properties (almost always), optional ones (sometimes), map entries
/// for `additionalProperties`, and now and then an unknown field.
fn object(schema: &Value, doc: &Value, ids: &[u64], depth: usize) -> BoxedStrategy<Value> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
        let probability = if required.contains(&name.as_str()) {
            0.95
        } else {
            0.5
        };
        let name = name.clone();
        fields.push(
            proptest::option::weighted(probability, value(prop, doc, ids, depth + 1))
                .prop_map(move |v| v.map(|v| (name.clone(), v)))
                .boxed(),
        );
    }
    let extra = match &schema["additionalProperties"] {
        Value::Object(_) => {
            let item = value(&schema["additionalProperties"], doc, ids, depth + 1);
            let key = prop_oneof![
                select(ids.to_vec()).prop_map(|n| n.to_string()),
                "[a-z0-9]{0,6}"
            ];
            proptest::collection::btree_map(key, item, 0..3).boxed()
        }
        _ => proptest::option::weighted(0.1, ("[a-z_]{1,8}", arbitrary_json()))
            .prop_map(|field| field.into_iter().collect::<BTreeMap<_, _>>())
            .boxed(),
    };
    (fields, extra)
        .prop_map(|(fields, extra)| {
            let mut map: serde_json::Map<String, Value> = fields.into_iter().flatten().collect();
            map.extend(extra);
            Value::Object(map)
        })
        .boxed()
}

/// Integers: real ids, small numbers, huge and negative ones, and a fraction.
fn integer(ids: &[u64]) -> BoxedStrategy<Value> {
    let mut options = vec![
        (2, (0u64..10).prop_map(Value::from).boxed()),
        (1, any::<u64>().prop_map(Value::from).boxed()),
        (1, any::<i64>().prop_map(Value::from).boxed()),
        (1, Just(serde_json::json!(1.5)).boxed()),
    ];
    if !ids.is_empty() {
        options.push((3, select(ids.to_vec()).prop_map(Value::from).boxed()));
    }
    Union::new_weighted(options).boxed()
}

/// Strings: plausible values (e-mails, E.164 numbers, times, zones, names) and junk.
fn string() -> BoxedStrategy<String> {
    prop_oneof![
        "[a-z]{1,8}@example\\.com",
        "\\+91[0-9]{10}",
        "\\+?[0-9 -]{0,16}",
        "[0-2][0-9]:[0-5][0-9]",
        select(vec![
            "UTC",
            "Asia/Kolkata",
            "Mars/Olympus",
            "mon",
            "sun",
            "agent",
            "admin",
            "supervisor",
            "shared",
            "exclusive"
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z ]{0,20}",
        ".{0,24}",
        Just(String::new()),
        "x{200,400}",
    ]
    .boxed()
}

/// Arbitrary JSON, a few levels deep.
pub fn arbitrary_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,16}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(".{0,8}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}
